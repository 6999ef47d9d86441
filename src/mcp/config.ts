/**
 * The agent config lines that put `replaypack mcp wrap` in front of a stdio MCP server
 * (`replaypack listen env --agent ... --mcp NAME=COMMAND`): Claude Code's `--mcp-config` JSON
 * and Codex's `-c mcp_servers.NAME.*` overrides. The wrapper is started by absolute paths (this
 * Node, this CLI), so the config works wherever the agent runs it, with no `replaypack` on PATH.
 */
import { UsageError } from '../errors.ts';

export interface McpServerSpec {
  name: string;
  command: string[];
}

/**
 * Splits a server command line the way a POSIX shell splits words: whitespace, '…', "…" and
 * backslash escapes, and nothing else (no variables, globs or operators), so the config runs
 * exactly the words the user can read.
 */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!))
        word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote)
    throw new UsageError(
      `Failed to read the MCP server command "${text}": a ${quote} quote is not closed.`,
    );
  if (inWord) words.push(word);
  return words;
}

/** `NAME=COMMAND` as `--mcp` takes it. */
export function parseMcpSpec(spec: string): McpServerSpec {
  const eq = spec.indexOf('=');
  const name = eq === -1 ? '' : spec.slice(0, eq).trim();
  const command = eq === -1 ? [] : splitCommand(spec.slice(eq + 1));
  if (!/^[A-Za-z0-9_-]+$/.test(name) || command.length === 0) {
    throw new UsageError(
      `Invalid --mcp "${spec}": expected NAME=COMMAND, a name of letters, digits, "_" or "-" and the server's command line (--mcp everything="npx -y @modelcontextprotocol/server-everything").`,
    );
  }
  return { name, command };
}

export interface WrapTarget {
  /** The listener the wrapper records into. */
  listener: string;
  /** Replay: the cassette the wrapper answers from (`mcp wrap --mode replay`). */
  cassette?: string;
}

/** The wrapper's command line for one server. `wrapper`: how to start replaypack itself. */
export function wrapArgs(wrapper: string[], server: McpServerSpec, target: WrapTarget): string[] {
  return [
    ...wrapper,
    'mcp',
    'wrap',
    '--name',
    server.name,
    '--listener',
    target.listener,
    ...(target.cassette ? ['--mode', 'replay', '--cassette', target.cassette] : []),
    '--',
    ...server.command,
  ];
}

/** Claude Code's `--mcp-config` JSON (stdio servers). */
export function claudeMcpConfig(
  wrapper: string[],
  servers: McpServerSpec[],
  target: WrapTarget,
): string {
  const mcpServers: Record<string, unknown> = {};
  for (const server of servers) {
    const [command, ...args] = wrapArgs(wrapper, server, target);
    mcpServers[server.name] = { type: 'stdio', command, args };
  }
  return JSON.stringify({ mcpServers });
}

/**
 * Codex's `-c` overrides. Values are TOML: a JSON string is a valid TOML basic string, and a JSON
 * array of strings a valid TOML array. Codex passes the server only a short list of variables,
 * so the listener is named on the command line (`--listener`), not found through REPLAYKIT_HOME.
 */
export function codexMcpArgs(
  wrapper: string[],
  servers: McpServerSpec[],
  target: WrapTarget,
): string[] {
  const out: string[] = [];
  for (const server of servers) {
    const [command, ...args] = wrapArgs(wrapper, server, target);
    out.push(
      '-c',
      `mcp_servers.${server.name}.command=${JSON.stringify(command)}`,
      '-c',
      `mcp_servers.${server.name}.args=${JSON.stringify(args)}`,
      // Codex starts MCP servers beside the first turn, not before it: a fast turn (a replay)
      // ran before the wrapped server was up, without its tools. A required server is waited for.
      '-c',
      `mcp_servers.${server.name}.required=true`,
    );
  }
  return out;
}
