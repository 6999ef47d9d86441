import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, expect, test } from 'vitest';
import { readCassette } from '../../../src/cassette/reader.ts';

const script = fileURLToPath(new URL('./fixtures/race-writer.ts', import.meta.url));
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Starts two writer processes at once and returns their JSON outcomes. */
async function race(mode: 'run' | 'replace' | 'exclusive') {
  dir = mkdtempSync(join(tmpdir(), 'rk-race-'));
  const runs = await Promise.all(
    ['proc-a', 'proc-b'].map((id) => execa(process.execPath, [script, dir, mode, id])),
  );
  return runs.map(
    (r) =>
      JSON.parse(String(r.stdout)) as {
        ok: boolean;
        file?: string;
        code?: string;
        message?: string;
      },
  );
}

test('two processes recording runs into one directory in the same second get separate, whole files', async () => {
  const [a, b] = await race('run');
  expect(a?.ok && b?.ok).toBe(true);
  expect(a?.file).not.toBe(b?.file);
  expect(readdirSync(dir).sort()).toHaveLength(2);
  for (const outcome of [a, b]) {
    const c = await readCassette(outcome!.file!);
    expect(c.steps).toHaveLength(300);
    expect(c.seal?.steps).toBe(300);
    expect(c.warnings).toEqual([]);
  }
  const ids = await Promise.all(
    [a, b].map(async (o) => (await readCassette(o!.file!)).header.run_id),
  );
  expect(ids.sort()).toEqual(['proc-a', 'proc-b']);
});

test('two processes replacing one file leave exactly one of them, whole, and no temp files', async () => {
  const outcomes = await race('replace');
  expect(outcomes.every((o) => o.ok)).toBe(true);
  expect(readdirSync(dir)).toEqual(['shared.rpk']);
  const c = await readCassette(join(dir, 'shared.rpk'));
  expect(['proc-a', 'proc-b']).toContain(c.header.run_id);
  expect(c.steps).toHaveLength(300);
  expect(c.seal?.steps).toBe(300);
});

test('two processes creating one file: exactly one wins, the other gets a clear error', async () => {
  const outcomes = await race('exclusive');
  const winners = outcomes.filter((o) => o.ok);
  const losers = outcomes.filter((o) => !o.ok);
  expect(winners).toHaveLength(1);
  expect(losers).toEqual([
    {
      ok: false,
      code: 'E_CASSETTE_EXISTS',
      message: `[replaykit] Failed to write cassette "${join(dir, 'shared.rpk')}": the file already exists. Pass replace: true to overwrite it, or choose another name`,
    },
  ]);
  expect((await readCassette(join(dir, 'shared.rpk'))).steps).toHaveLength(300);
});
