/**
 * The real MCP server of the agent E2E: `@modelcontextprotocol/server-everything` from
 * test/agents, started through test/fixtures/mcp/launch.mjs, which notes every start in a file
 * (the proof that replay never starts it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const EVERYTHING = resolve(
  HERE,
  '../../agents/node_modules/@modelcontextprotocol/server-everything/dist/index.js',
);
export const LAUNCH = resolve(HERE, '../../fixtures/mcp/launch.mjs');

/** `--mcp NAME=COMMAND` for the everything server; each start appends a line to `starts`. */
export function everythingSpec(name: string, starts: string): string {
  return `${name}=${[process.execPath, LAUNCH, starts, EVERYTHING, 'stdio'].map((w) => `'${w}'`).join(' ')}`;
}

export function startsIn(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

export function mcpUnavailable(): string | null {
  return existsSync(EVERYTHING)
    ? null
    : `${EVERYTHING} is missing: run "npm ci --prefix test/agents"`;
}

export const startsFile = (root: string) => join(root, 'mcp-starts.txt');
