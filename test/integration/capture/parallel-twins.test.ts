/**
 * Identical concurrent requests ("twins") under `Promise.all`: replay must give each call the
 * answer that same call got when it was recorded (issue 13, symptom 2). The fake upstream numbers
 * its answers in the order requests reach it, so any swap between twins shows up in the values.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectReplayParity, type MatchMode, record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
// Module level, before any recording: keeps the `fetch` it found (the dispatcher route serves it).
let early: OpenAI;
const dir = mkdtempSync(path.join(tmpdir(), 'rk-twins-'));
const TWINS = 3;
const RUNS = 20;

beforeAll(async () => {
  up = await startFakeUpstream();
  early = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
});
afterAll(() => up.close());

type Transport = 'chat json' | 'chat sse' | 'responses sse';

async function ask(
  client: OpenAI,
  transport: Transport,
  content = 'the same question',
): Promise<string> {
  if (transport === 'chat json') {
    const r = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content }],
    });
    return r.choices[0]?.message.content ?? '';
  }
  if (transport === 'chat sse') {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    return text;
  }
  const stream = client.responses.stream({ model: 'gpt-5', input: content });
  return (await stream.finalResponse()).output_text;
}

const clients = {
  'module-level client': () => early,
  'client built in the run': () =>
    new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 }),
};

describe.each(['chat json', 'chat sse', 'responses sse'] as const)('%s', (transport) => {
  test.each(Object.keys(clients) as (keyof typeof clients)[])(
    `${TWINS} identical concurrent calls, ${RUNS} record/replay runs: each call gets its own recorded answer (%s)`,
    async (which) => {
      const burst = () => {
        const client = clients[which]();
        return Promise.all(Array.from({ length: TWINS }, () => ask(client, transport)));
      };
      // Recorded back to back, as a suite does: the sockets of one run are still being handed
      // back to the pool when the next run's calls go out, so connections come up in another
      // order than the calls were made.
      const runs: { cassette: string; answers: string[] }[] = [];
      let n = 0;
      up.reply(() => ({ kind: 'text', text: `answer ${n++}` }));
      for (let run = 0; run < RUNS; run++) {
        const cassette = path.join(dir, `${transport}-${which}-${run}.rpk`);
        const recorded = await record({ cassette, mode: 'record' }, burst);
        expect(new Set(recorded.value).size).toBe(TWINS);
        runs.push({ cassette, answers: recorded.value });
      }
      for (const [run, { cassette, answers }] of runs.entries()) {
        for (const match of ['fingerprint', 'sequence'] as MatchMode[]) {
          const replayed = await record({ cassette, mode: 'replay', match, strict: true }, burst);
          expect({ run, match, answers: replayed.value }).toEqual({ run, match, answers });
        }
        await expectReplayParity(cassette);
        await expectReplayParity(cassette, burst);
      }
    },
  );
});

test('property: any mix of identical and different concurrent calls, issued in any order and answered at any pace, replays each call its own answer', async () => {
  const transports = ['chat json', 'chat sse', 'responses sse'] as const;
  let round = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          transport: fc.constantFrom(...transports),
          // Few prompts, so most calls have an identical twin.
          prompt: fc.integer({ min: 0, max: 1 }),
          // Event-loop turns to wait before the call is made: calls start in any order.
          wait: fc.integer({ min: 0, max: 2 }),
          early: fc.boolean(),
        }),
        { minLength: 2, maxLength: 6 },
      ),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 6, maxLength: 6 }),
      async (calls, pacing) => {
        round++;
        const late = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
        const burst = () =>
          Promise.all(
            calls.map(async (c) => {
              for (let i = 0; i < c.wait; i++) await new Promise((r) => setImmediate(r));
              return ask(c.early ? early : late, c.transport, `question ${c.prompt}`);
            }),
          );
        let n = 0;
        up.reply(() => ({ kind: 'text', text: `answer ${round}-${n}`, delayMs: pacing[n++ % 6] }));
        const cassette = path.join(dir, `property-${round}.rpk`);
        const recorded = await record({ cassette, mode: 'record' }, burst);
        expect(new Set(recorded.value).size).toBe(calls.length);
        const replayed = await record({ cassette, mode: 'replay', strict: true }, burst);
        expect(replayed.value).toEqual(recorded.value);
        await expectReplayParity(cassette, burst);
      },
    ),
    { numRuns: 25 },
  );
}, 120_000);
