/**
 * Issue 22: `inspect` and `assert` given several paths (what a shell makes of `listen-*.rpk`)
 * checked only the first. Each path is now checked, and the exit status is the worst of them.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { replaypack } from '../../support/cli.ts';

const DEMO = new URL('../../../cassettes/demo/openai-chat-stream.rpk', import.meta.url).pathname;
const GOLDEN = new URL('../../../cassettes/golden/sdk-capture.rpk', import.meta.url).pathname;
let dir: string;
let good: string;
let other: string;
let broken: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rk-several-'));
  good = join(dir, 'listen-1.rpk');
  other = join(dir, 'listen-2.rpk');
  broken = join(dir, 'listen-3.rpk');
  copyFileSync(DEMO, good);
  copyFileSync(GOLDEN, other);
  // A torn header: not a cassette at all (the last file a glob gives, so "only the first" misses it).
  writeFileSync(broken, '{"type":"run.header","version":1\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inspect with several paths', () => {
  test('checks every file and fails with the worst status when one is not a cassette', async () => {
    const r = await replaypack(['inspect', good, other, broken]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain(`${good}: valid`);
    expect(r.stdout).toContain(`${other}: valid`);
    expect(r.stderr).toContain(`[replaykit] ${broken}:1: `);
    expect(r.stderr).toContain(
      '[replaykit] Failed to inspect 1 of 3 cassettes: see the messages above. Fix or re-record them.',
    );
  });

  test('--json prints one object per file, with the tokens served and their live cost', async () => {
    const r = await replaypack(['inspect', good, other, '--json']);
    expect(r.exitCode).toBe(0);
    const [a, b] = JSON.parse(r.stdout) as {
      file: string;
      usage: { tokens: { input: number; output: number }; providers: Record<string, unknown> };
      cost: { pricedAt: string; total: number; providers: Record<string, number> };
    }[];
    expect(a?.file).toBe(good);
    expect(a?.usage.tokens).toMatchObject({ input: 162, output: 35 });
    // gpt-4o-mini at the built-in prices: 162 x 0.15 + 35 x 0.60 per million.
    expect(a?.cost.total).toBeCloseTo((162 * 0.15 + 35 * 0.6) / 1e6, 6);
    expect(a?.cost.pricedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(b?.usage.providers ?? {})).toEqual(['anthropic', 'gemini', 'openai']);
  });

  test('--prices FILE overrides the table, its date in every cost', async () => {
    const prices = join(dir, 'prices.json');
    writeFileSync(
      prices,
      JSON.stringify({
        pricedAt: '2027-02-01',
        models: { 'gpt-4o-mini': { provider: 'openai', input: 1000000, output: 0 } },
      }),
    );
    const r = await replaypack(['inspect', good, '--json', '--prices', prices]);
    expect(r.exitCode).toBe(0);
    const one = JSON.parse(r.stdout) as { cost: { pricedAt: string; total: number } };
    expect(one.cost).toMatchObject({ pricedAt: '2027-02-01', total: 162 });
  });
});

describe('assert with several paths', () => {
  test('replays every file and fails when one is not a cassette', async () => {
    const r = await replaypack(['assert', good, other, broken]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain(`${good}: parity ok`);
    expect(r.stdout).toContain(`${other}: parity ok`);
    expect(r.stderr).toContain(`[replaykit] ${broken}:1: `);
    expect(r.stderr).toContain(
      '[replaykit] Failed to assert 1 of 3 cassettes: see the messages above.',
    );
  });

  test('--json prints one result per file', async () => {
    const r = await replaypack(['assert', good, other, '--json']);
    expect(r.exitCode).toBe(0);
    const results = JSON.parse(r.stdout) as { file: string; ok: boolean }[];
    expect(results.map((x) => [x.file, x.ok])).toEqual([
      [good, true],
      [other, true],
    ]);
  });

  test('--golden with several files is refused (exit 2)', async () => {
    const r = await replaypack(['assert', good, other, '--golden', GOLDEN]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      `[replaykit] Failed to run "replaypack assert": --golden compares one cassette, and 2 were given (${good}, ${other}). Assert each against its own golden.`,
    );
  });
});
