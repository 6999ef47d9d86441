/**
 * Every project under examples/ passes offline in replay mode with its committed cassettes, run
 * by its real runner against the packed package (as CI does: `CI=true` makes replay the default).
 * Provider base URLs point at a closed loopback port, so a request that escaped replay could only
 * fail, never reach a network.
 *
 * `RECORD_EXAMPLES=1` re-records the cassettes against the fake upstream and copies them back.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { fixtureProject, installedPackage, REPO } from './package.ts';
import { closedPort, JEST, runIn, VITEST } from './run.ts';

const EXAMPLES = path.join(REPO, 'examples');
const RECORD = process.env.RECORD_EXAMPLES === '1';

const examples = [
  { name: 'vitest-openai-streaming', bin: VITEST, passed: 'Tests  2 passed (2)' },
  { name: 'jest-anthropic-tools', bin: JEST, passed: 'Tests:       1 passed, 1 total' },
  { name: 'vitest-gemini', bin: VITEST, passed: 'Tests  2 passed (2)' },
  { name: 'ai-sdk', bin: VITEST, passed: 'Tests  1 passed (1)' },
];

function files(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'package-lock.json') continue;
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(out, files(abs, base));
    else out[path.relative(base, abs)] = abs;
  }
  return out;
}

const baseUrls = (origin: string) => ({
  OPENAI_BASE_URL: `${origin}/v1`,
  ANTHROPIC_BASE_URL: origin,
  GEMINI_BASE_URL: origin,
});

let up: FakeUpstream | undefined;
beforeAll(async () => {
  await installedPackage();
  if (!RECORD) return;
  up = await startFakeUpstream();
  // The Anthropic example's agent loop: a tool call first, then the answer to the tool result.
  up.reply((req) =>
    req.provider === 'anthropic' && !JSON.stringify(req.body).includes('tool_result')
      ? { kind: 'tool', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }
      : undefined,
  );
}, 300_000);
afterAll(() => up?.close());

describe.each(examples)('examples/$name', ({ name, bin, passed }) => {
  test('passes offline in replay mode with its committed cassettes', async () => {
    const source = path.join(EXAMPLES, name);
    const sources = files(source);
    const project = await fixtureProject(
      `example-${name}`,
      Object.fromEntries(Object.entries(sources).map(([rel, abs]) => [rel, readText(abs)])),
    );
    if (RECORD && up) {
      rmSync(path.join(project, 'cassettes'), { recursive: true, force: true });
      const recorded = await runIn(project, bin, { REPLAYKIT_MODE: 'record', ...baseUrls(up.url) });
      expect(recorded.output).toContain(passed);
      rmSync(path.join(source, 'cassettes'), { recursive: true, force: true });
      cpSync(path.join(project, 'cassettes'), path.join(source, 'cassettes'), { recursive: true });
    }
    expect(existsSync(path.join(project, 'cassettes'))).toBe(true);
    const offline = `http://127.0.0.1:${await closedPort()}`;
    const run = await runIn(project, bin, { CI: 'true', ...baseUrls(offline) });
    expect(run.output).toContain(passed);
    expect(run.exitCode).toBe(0);
    expect(run.output).toMatch(/\[replaykit\] cassettes: [1-9]\d* used, 0 missing, 0 unused/);
  }, 120_000);
});

function readText(file: string): string {
  return readFileSync(file, 'utf8');
}
