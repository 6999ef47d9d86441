/**
 * Parity compares exchanges, not file positions (issue 13, symptom 1): exchanges that overlapped
 * in time interleave their steps differently in the recording, in a self-replay and in a replayed
 * run, and none of that may read as a change. What still must: a changed request, and exchanges
 * the recording shows one after the other coming in the other order.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  expectReplayParity,
  ReplayDivergenceError,
  record,
  replayCassette,
} from '../../../src/index.ts';
import { replaypack } from '../../support/cli.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
const dir = mkdtempSync(path.join(tmpdir(), 'rk-conc-parity-'));

beforeAll(async () => {
  up = await startFakeUpstream();
});
afterAll(() => up.close());

type Kind = 'chat json' | 'chat sse tool' | 'responses sse' | 'anthropic sse';

/** One call of the app: its kind and prompt (the prompt also picks the reply and its pacing). */
interface Call {
  kind: Kind;
  prompt: string;
}

async function call({ kind, prompt }: Call): Promise<unknown> {
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
  if (kind === 'chat json') {
    const r = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: prompt }],
    });
    return r.choices[0]?.message.content;
  }
  if (kind === 'chat sse tool') {
    const stream = openai.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: prompt }],
      tools: [
        {
          type: 'function',
          function: { name: 'lookup', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    return (await stream.finalChatCompletion()).choices[0]?.message;
  }
  if (kind === 'responses sse') {
    const stream = openai.responses.stream({ model: 'gpt-5', input: prompt });
    return (await stream.finalResponse()).output_text;
  }
  const anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: up.url, maxRetries: 0 });
  const stream = anthropic.messages.stream({
    model: 'claude-test-model',
    max_tokens: 64,
    messages: [{ role: 'user', content: prompt }],
  });
  return (await stream.finalMessage()).content;
}

/**
 * Waves run one after the other; the calls of a wave run together. A wave waits for all its calls
 * before it fails, so no call of a failed run is still on its way when the next run starts.
 */
const app = (waves: Call[][]) => async () => {
  const out: unknown[] = [];
  for (const wave of waves) {
    const settled = await Promise.allSettled(wave.map(call));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    out.push(settled.map((s) => (s.status === 'fulfilled' ? s.value : null)));
  }
  return out;
};

/** Replies paced per prompt, so overlapping streams interleave their events on the wire. */
function pacedReplies(delays: Map<string, number>) {
  up.reply((req) => {
    const text = JSON.stringify(req.body ?? '');
    const prompt = [...delays.keys()].find((p) => text.includes(p));
    const delayMs = prompt ? (delays.get(prompt) ?? 0) : 0;
    if (prompt?.includes('tool')) {
      return { kind: 'tool', calls: [{ name: 'lookup', arguments: { q: prompt } }], delayMs };
    }
    return { kind: 'text', text: `answer to ${prompt}`, delayMs };
  });
}

test('two different requests under Promise.all (a streamed Chat tool call and a Responses stream) pass parity, self-replay and replaypack assert', async () => {
  const cassette = path.join(dir, 'two.rpk');
  const waves: Call[][] = [
    [
      { kind: 'chat sse tool', prompt: 'p-tool slow' },
      { kind: 'responses sse', prompt: 'p-fast' },
    ],
  ];
  pacedReplies(
    new Map([
      ['p-tool slow', 5],
      ['p-fast', 1],
    ]),
  );
  const recorded = await record({ cassette, mode: 'record' }, app(waves));
  expect(recorded.exchanges).toBe(2);

  expect((await expectReplayParity(cassette)).exchanges).toBe(2);
  expect((await expectReplayParity(cassette, app(waves))).exchanges).toBe(2);
  const summary = await replayCassette(cassette);
  expect(summary).toMatchObject({ equal: true, divergences: [] });
  expect(summary.replayed_hash).toBe(summary.recorded_hash);
  const cli = await replaypack(['assert', cassette]);
  expect({ exit: cli.exitCode, out: cli.stdout + cli.stderr }).toMatchObject({ exit: 0 });
});

const kinds: Kind[] = ['chat json', 'chat sse tool', 'responses sse', 'anthropic sse'];

test('property: any overlap and ordering of concurrent exchanges passes parity; reordering sequential ones or changing a prompt fails it', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      // 2-3 waves of 1-3 calls; each call a kind and a pacing (ms between events).
      fc.array(
        fc.array(
          fc.record({ kind: fc.constantFrom(...kinds), delay: fc.integer({ min: 0, max: 4 }) }),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        { minLength: 2, maxLength: 3 },
      ),
      async (shape) => {
        run++;
        const delays = new Map<string, number>();
        const waves = shape.map((wave, w) =>
          wave.map(({ kind, delay }, c) => {
            const prompt = `r${run} w${w} c${c}${kind === 'chat sse tool' ? ' tool' : ''}`;
            delays.set(prompt, delay);
            return { kind, prompt };
          }),
        );
        pacedReplies(delays);
        const cassette = path.join(dir, `prop-${run}.rpk`);
        const recorded = await record({ cassette, mode: 'record' }, app(waves));
        expect(recorded.exchanges).toBe(waves.flat().length);

        await expectReplayParity(cassette);
        await expectReplayParity(cassette, app(waves));
        expect((await replayCassette(cassette)).equal).toBe(true);

        // The same calls, the waves in the other order: the recording says they came after.
        const reversed = await expectReplayParity(cassette, app([...waves].reverse())).then(
          () => null,
          (e: unknown) => e,
        );
        expect(reversed).toBeInstanceOf(ReplayDivergenceError);
        expect((reversed as ReplayDivergenceError).details.difference?.path).toBe('order');

        // One prompt changed: the divergence names the request and its path.
        const changed = waves.map((wave, w) =>
          wave.map((c, i) => (w === 0 && i === 0 ? { ...c, prompt: `${c.prompt} changed` } : c)),
        );
        const diverged = await expectReplayParity(cassette, app(changed)).then(
          () => null,
          (e: unknown) => e,
        );
        expect(diverged).toBeInstanceOf(ReplayDivergenceError);
        expect((diverged as ReplayDivergenceError).details).toMatchObject({ kind: 'mismatch' });
      },
    ),
    { numRuns: 12 },
  );
}, 120_000);
