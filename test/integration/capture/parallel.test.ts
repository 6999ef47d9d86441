import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let openai: OpenAI;
const cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-par-')), 'parallel.rpk');

// 50 concurrent requests: 25 identical ones and 25 different ones, each answered differently.
const burst = () =>
  Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      openai.chat.completions
        .create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: i % 2 === 0 ? 'same question' : `question ${i}` }],
        })
        .then((r) => r.choices[0]?.message.content),
    ),
  );

beforeAll(async () => {
  up = await startFakeUpstream();
  let n = 0;
  up.reply(() => ({ kind: 'text', text: `answer ${n++}` }));
  openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
});
afterAll(() => up.close());

test('50 parallel requests, identical and different, each replay its own recorded answer across 20 runs', async () => {
  const recorded = await record({ cassette, mode: 'record' }, burst);
  expect(recorded.exchanges).toBe(50);
  expect(new Set(recorded.value).size).toBe(50);
  await up.close();

  const runs: (string | null | undefined)[][] = [];
  for (let run = 0; run < 20; run++) {
    const replayed = await record({ cassette, mode: 'replay', strict: true }, burst);
    runs.push(replayed.value);
  }
  // Every call, identical ones included, gets exactly the answer it got when recorded, every run
  // (identical calls per call, on all three transports: parallel-twins.test.ts).
  for (const [run, answers] of runs.entries()) {
    expect({ run, answers }).toEqual({ run, answers: recorded.value });
  }
});
