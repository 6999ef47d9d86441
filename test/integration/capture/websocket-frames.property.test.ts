/**
 * In-process WebSocket capture and replay hold for any framing and interleaving: several sockets
 * open at once, several turns each, every `response.create` cut into WebSocket fragments at
 * random points (continuation frames, as a client may send them). Recording must write each turn
 * whole, and an offline replay must give every socket the frames it got live, in order.
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { expectReplayParity, record } from '../../../src/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream();
  // Each answer names its prompt, so a swapped answer cannot pass for the right one.
  up.reply((req) => {
    const input = (req.body as { input?: { content?: string }[] } | undefined)?.input;
    const prompt = input?.[0]?.content;
    return prompt ? { kind: 'text', text: `answer to ${prompt}` } : undefined;
  });
});
afterAll(() => up.close());

/** Sends `text` as fragments cut at the given fractions of its length. */
function sendFragmented(ws: WebSocket, text: string, cuts: number[]): void {
  const bytes = Buffer.from(text);
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))]
    .filter((p) => p > 0 && p < bytes.length)
    .sort((a, b) => a - b);
  let start = 0;
  for (const p of points) {
    ws.send(bytes.subarray(start, p), { binary: false, fin: false });
    start = p;
  }
  ws.send(bytes.subarray(start), { binary: false, fin: true });
}

/** One socket: its turns in order, each answered in full before the next is sent. */
async function conversation(origin: string, prompts: string[], cuts: number[][]) {
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/v1/responses`, {
    headers: { authorization: 'Bearer sk-test-FAKE' },
  });
  await once(ws, 'open');
  const got: string[][] = [];
  for (const [i, prompt] of prompts.entries()) {
    const frames: string[] = [];
    const done = new Promise<void>((resolve) => {
      const on = (data: WebSocket.RawData) => {
        const text = data.toString();
        frames.push(text);
        const { type } = JSON.parse(text) as { type: string };
        if (type === 'response.completed' || type === 'error') {
          ws.off('message', on);
          resolve();
        }
      };
      ws.on('message', on);
    });
    const message = JSON.stringify({
      type: 'response.create',
      model: 'gpt-5-mini',
      input: [{ type: 'message', role: 'user', content: prompt }],
    });
    sendFragmented(ws, message, cuts[i] ?? []);
    await done;
    got.push(frames);
  }
  ws.close();
  await once(ws, 'close');
  return got;
}

const textOf = (frames: string[]) =>
  frames
    .map((f) => JSON.parse(f) as { type: string; delta?: string })
    .filter((f) => f.type === 'response.output_text.delta')
    .map((f) => f.delta)
    .join('');

const plan = fc
  .array(
    fc.array(
      fc.tuple(
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
      ),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((sockets) =>
    // Prompts unique across the run: identical concurrent requests are another issue's subject.
    sockets.map((turns, s) => turns.map(([p, cuts], t) => ({ prompt: `${s}.${t} ${p}`, cuts }))),
  );

describe('in-process WebSocket in any framing and interleaving', () => {
  test('concurrent sockets, fragmented messages: recorded whole, replayed offline frame for frame', async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (sockets) => {
        const cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-wsp-')), 'p.rpk');
        const run = () =>
          Promise.all(
            sockets.map((turns) =>
              conversation(
                up.url,
                turns.map((t) => t.prompt),
                turns.map((t) => t.cuts),
              ),
            ),
          );
        const hits = up.received.length;
        const live = await record({ cassette, mode: 'record' }, run);
        const turns = sockets.flat().length;
        const { steps } = await loadCassette(cassette);
        const requests = steps.filter((s) => s.type === 'model.request');
        expect(requests).toHaveLength(turns);
        expect(
          requests
            .map((r) => (r.body as { input: { content: string }[] }).input[0]?.content)
            .sort(),
        ).toEqual(
          sockets
            .flat()
            .map((t) => t.prompt)
            .sort(),
        );
        // Every socket got the answers to its own prompts, in its own order.
        expect(live.value.map((socket) => socket.map(textOf))).toEqual(
          sockets.map((socketTurns) => socketTurns.map((t) => `answer to ${t.prompt}`)),
        );
        const upstreamSeen = up.received.length - hits;
        const replayed = await record({ cassette, mode: 'replay' }, run);
        expect(replayed.value).toEqual(live.value);
        expect(replayed.exchanges).toBe(turns);
        // Replay reached nothing: the upstream saw no further request.
        expect(up.received.length - hits).toBe(upstreamSeen);
        await expectReplayParity(cassette);
      }),
      { numRuns: 25 },
    );
  });
});
