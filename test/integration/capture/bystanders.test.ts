/**
 * The bystander guarantee (issue 21): traffic replaykit does not capture passes through untouched
 * before, during and after `record()`, in record and replay mode, in one process. The first test
 * runs before any `record()` in this worker; the HTTP/2 cases hung from the first `record()` on
 * before node:http2 sessions were kept away from the socket interceptor.
 *
 * Each phase also makes one provider call, so a phase cannot pass because nothing was recording.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Recording, record } from '../../../src/index.ts';
import {
  type Bystanders,
  callAll,
  expectedOutcomes,
  startBystanders,
} from '../../support/bystanders.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let by: Bystanders;
let up: FakeUpstream;
let openai: OpenAI;
let cassette: string;

const ask = async () =>
  (
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
    })
  ).choices[0]?.message.content;

beforeAll(async () => {
  by = await startBystanders();
  up = await startFakeUpstream();
  up.reply(() => ({ kind: 'text', text: 'provider answer' }));
  openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
  cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-bystanders-')), 'one.rpk');
});
afterAll(async () => {
  await by?.close();
  await up?.close();
});

describe('bystanders pass through untouched', () => {
  test('before the first record() (the baseline every later phase must equal)', async () => {
    expect(await callAll(by.cases)).toEqual(expectedOutcomes(by.cases));
  });

  describe.each([{ mode: 'record' as const }, { mode: 'replay' as const }])(
    '$mode mode',
    ({ mode }) => {
      let rec: Recording;
      const hitsBefore = { n: 0 };

      test(`during record() in ${mode} mode`, async () => {
        hitsBefore.n = up.received.length;
        rec = await record({ cassette, mode });
        const cases = by.cases.filter((c) => !c.notDuringRecord);
        let outcomes: Record<string, string>;
        let answer: string | null | undefined;
        try {
          outcomes = await callAll(cases);
          answer = await ask();
        } finally {
          await rec.stop();
        }
        expect(outcomes).toEqual(expectedOutcomes(cases));
        expect(answer).toBe('provider answer');
        const result = await rec.stop();
        // Record mode captured the provider call; replay mode served it without the upstream.
        expect(result.exchanges).toBe(1);
        expect(up.received.length - hitsBefore.n).toBe(mode === 'record' ? 1 : 0);
      });

      test(`after record() in ${mode} mode stopped`, async () => {
        expect(await callAll(by.cases)).toEqual(expectedOutcomes(by.cases));
      });
    },
  );

  test('ProxyAgent really went through the CONNECT proxy in every phase', () => {
    expect(by.tunnels()).toBe(5);
  });
});
