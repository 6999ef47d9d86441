/**
 * Replaying a cassette larger than the heap: the replay engine keeps the requests and reads each
 * response back from the file when it is served, so a 64 MB cassette replays under a 48 MB V8
 * heap (loading it whole takes about 1.5x its size).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createCassetteWriter } from '../../../src/cassette/writer.ts';
import { normalizeStep } from '../../../src/pipeline/canonical.ts';

const dir = mkdtempSync(join(tmpdir(), 'rk-large-replay-'));
const file = join(dir, 'large.rpk');
const BODY = 200_000;
const COUNT = 340;
const filler = 'lorem ipsum '.repeat(BODY / 12);

beforeAll(() => {
  const w = createCassetteWriter(file, {
    header: {
      run_id: 'large-replay',
      capture: 'sdk',
      response_source: 'live',
      tool: { name: 'replaykit', version: '0' },
      redaction: { policy: 'default' },
    },
    normalize: normalizeStep,
    fsyncIntervalMs: 60_000,
  });
  for (let i = 0; i < COUNT; i++) {
    const base = {
      correlation_id: `c${i}`,
      provider: 'openai',
      endpoint: 'chat.completions',
      offset_ms: i,
    } as const;
    w.append({
      ...base,
      type: 'model.request',
      method: 'POST',
      url: '/v1/chat/completions',
      transport: 'http',
      stream: false,
      model: 'gpt-4o-mini',
      headers: { 'content-type': 'application/json' },
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }] },
    });
    const content = `${i} ${filler}`;
    w.append({
      ...base,
      type: 'model.response',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { id: `c${i}`, object: 'chat.completion', choices: [{ message: { content } }] },
    });
  }
  w.seal();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a 64 MB cassette replays under a 48 MB heap, each response read back whole', async () => {
  expect(statSync(file).size).toBeGreaterThan(64 * 1024 * 1024);
  const script = fileURLToPath(new URL('./fixtures/replay-large.ts', import.meta.url));
  const r = await execa(process.execPath, ['--max-old-space-size=48', script, file, '3'], {
    reject: false,
  });
  expect(r.stderr).toBe('');
  const answer = (i: number) => [String(i), `${i} `.length + filler.length];
  expect(JSON.parse(String(r.stdout))).toEqual({
    served: 3,
    answers: [answer(0), answer(1), answer(2)],
  });
}, 120_000);
