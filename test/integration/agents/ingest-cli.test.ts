/** `replaypack ingest` through the real CLI: output file, stdin, exit statuses, bad lines. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { replaypack } from '../../support/cli.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/agents/${name}`, import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rk-ingest-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a codex --json file becomes a sealed, valid ingest cassette', async () => {
  const out = join(dir, 'codex.rpk');
  const r = await replaypack(['ingest', 'codex', fixture('codex-tool.jsonl'), '--out', out]);
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stdout).toContain('6 step(s) from 6 line(s)');
  const cassette = await loadCassette(out);
  expect(cassette.header).toMatchObject({ capture: 'ingest', meta: { agent: 'codex' } });
  expect(cassette.seal).toBeDefined();
  expect(cassette.steps.map((s) => s.type)).toContain('tool.request');
  expect((await replaypack(['inspect', out])).exitCode).toBe(0);
});

test('stdin (-) with unreadable lines: exit 0, each line an error.event, a warning on stderr', async () => {
  const out = join(dir, 'claude.rpk');
  const input = `not json\n${readFileSync(fixture('claude-code-tool.ndjson'), 'utf8')}`;
  const r = await replaypack(['ingest', 'claude-code', '-', '--out', out], { input });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stderr).toContain('1 line(s) could not be read');
  const { steps } = await loadCassette(out);
  expect(steps[0]).toMatchObject({ type: 'error.event', source: 'parse', line: 1 });
  expect(steps.some((s) => s.type === 'tool.response' && s.kind === 'tool_result')).toBe(true);
});

test('exit statuses: unknown agent 2, no --out 2, missing input 4, existing --out 4', async () => {
  const out = join(dir, 'x.rpk');
  expect((await replaypack(['ingest', 'cursor', '-', '--out', out])).exitCode).toBe(2);
  expect((await replaypack(['ingest', 'codex', fixture('codex-tool.jsonl')])).exitCode).toBe(2);
  const missing = await replaypack(['ingest', 'codex', join(dir, 'nope.jsonl'), '--out', out]);
  expect(missing.exitCode).toBe(4);
  expect(missing.stderr).toMatch(/^\[replaykit\] Failed to read ".*nope\.jsonl": ENOENT/);
  expect(
    (await replaypack(['ingest', 'codex', fixture('codex-tool.jsonl'), '--out', out])).exitCode,
  ).toBe(0);
  const again = await replaypack(['ingest', 'codex', fixture('codex-tool.jsonl'), '--out', out]);
  expect(again.exitCode).toBe(4);
  const forced = ['ingest', 'codex', fixture('codex-tool.jsonl'), '--out', out, '--force'];
  expect((await replaypack(forced)).exitCode).toBe(0);
});
