/**
 * Issue 16 item 4: every new provider's recording replays in a process whose network is off
 * (test/support/network-off.ts refuses every TCP connection, loopback included, and every DNS
 * lookup): the SDKs get the recorded results from the cassettes alone.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import { startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { SCENARIOS } from './scenarios.ts';

const file = (p: string) => fileURLToPath(new URL(p, import.meta.url));

test('each new provider replays with the network off: the SDK results equal the recorded ones', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rk-providers-offline-'));
  const jobs: { key: string; cassette: string; origin: string; prompt: string }[] = [];
  const expected: Record<string, unknown> = {};
  for (const sc of SCENARIOS) {
    const up = await startFakeUpstream();
    try {
      sc.upstream?.(up);
      const cassette = path.join(dir, `${sc.key}.rpk`);
      const env = { origin: up.url, port: up.port };
      const { value } = await record({ cassette, mode: 'record' }, () => sc.run(env, sc.prompt));
      expected[sc.key] = value;
      jobs.push({ key: sc.key, cassette, origin: up.url, prompt: sc.prompt });
    } finally {
      await up.close();
    }
  }
  const r = await execa(
    process.execPath,
    [
      '--import',
      file('../../support/network-off.ts'),
      file('./offline-child.ts'),
      JSON.stringify(jobs),
    ],
    {
      reject: false,
      env: { REPLAYKIT_OPENAI_COMPATIBLE: process.env.REPLAYKIT_OPENAI_COMPATIBLE },
    },
  );
  expect(r.exitCode, r.stderr).toBe(0);
  const replayed = Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string; value: unknown })
      .map(({ key, value }) => [key, value]),
  );
  expect(Object.keys(replayed)).toEqual(SCENARIOS.map((s) => s.key));
  expect(replayed).toEqual(expected);
});
