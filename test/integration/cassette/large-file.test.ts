/**
 * A 200 MB cassette under a capped V8 heap: `inspect` streams it in 64 MB, and readCassette holds
 * its steps once (about 225 MB here) in 320 MB, which would not fit if the raw text were kept too.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCassetteWriter } from '../../../src/cassette/writer.ts';
import { CLI_ENTRY } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'rk-large-'));
const file = join(dir, 'large.rpk');
let steps = 0;

beforeAll(() => {
  const w = createCassetteWriter(file, {
    header: {
      run_id: 'large',
      capture: 'sdk',
      response_source: 'live',
      tool: { name: 'replaykit', version: '0' },
      redaction: { policy: 'off' },
    },
    fsyncIntervalMs: 60_000,
  });
  const text = 'lorem ipsum '.repeat(800);
  for (let bytes = 0; bytes < 200 * 1024 * 1024; bytes += text.length + 150, steps++) {
    w.append({
      type: 'tool.response',
      correlation_id: `c${steps}`,
      provider: 'openai',
      endpoint: 'responses',
      offset_ms: steps,
      call_id: `call_${steps}`,
      kind: 'function',
      output: { text },
    });
  }
  w.seal();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('inspect validates a 200 MB cassette within a 64 MB heap', async () => {
  expect(statSync(file).size).toBeGreaterThan(200 * 1024 * 1024);
  const r = await execa(
    process.execPath,
    ['--max-old-space-size=64', CLI_ENTRY, 'inspect', file, '--json'],
    { reject: false },
  );
  expect(r.stderr).toBe('');
  expect(JSON.parse(String(r.stdout))).toMatchObject({ valid: true, steps, sealed: true });
}, 120_000);

test('readCassette loads a 200 MB cassette holding its steps once', async () => {
  const script = fileURLToPath(new URL('./fixtures/read-all.ts', import.meta.url));
  const r = await execa(process.execPath, ['--max-old-space-size=320', script, file], {
    reject: false,
  });
  expect(r.stderr).toBe('');
  expect(Number(r.stdout)).toBe(steps);
}, 120_000);
