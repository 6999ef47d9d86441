/**
 * Issue 13, symptom 7: a client that aborts a recorded stream (`AbortController`, `req.destroy()`)
 * must close it as `interrupted` when it goes away, not when `stop()`'s grace for abandoned
 * streams runs out. Proven by state: the closing line is in the cassette before `stop()` is called
 * (the grace only ever runs inside `stop()`), and no `E_CLIENT_ABANDONED` note (what the grace writes)
 * follows it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, test } from 'vitest';
import { type Recording, record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream | undefined;
let recording: Recording | undefined;
afterEach(async () => {
  await recording?.stop();
  await up?.close();
  up = undefined;
  recording = undefined;
});

/** Long enough that the upstream is still writing when the client goes away. */
const LONG = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');

interface Line {
  type: string;
  correlation_id?: string;
  stream?: { state: string };
  diagnostics?: { message: string }[];
}

/**
 * The cassette's lines, also while it is being written: until `stop()` seals it, a recording
 * writes to a temp file beside the target (the only file in the test's folder).
 */
const lines = (file: string): Line[] =>
  readFileSync(
    existsSync(file) ? file : path.join(path.dirname(file), readdirSync(path.dirname(file))[0]!),
    'utf8',
  )
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

/** The stream's closing `model.response`, once the recorder has written it. */
const closing = (file: string) =>
  lines(file).find((l) => l.type === 'model.response' && l.stream !== undefined);

async function start() {
  up = await startFakeUpstream();
  up.reply(() => ({ kind: 'text', text: LONG, delayMs: 20 }));
  const cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-abort-')), 'abort.rpk');
  const started = await record({ cassette, mode: 'record' });
  recording = started;
  return { cassette, recording: started, origin: up.url };
}

async function expectClosedOnAbort(cassette: string, stop: () => Promise<{ exchanges: number }>) {
  // Written by the abort itself: stop() has not run, so no grace timer can have closed it (the
  // wait is generous for a loaded machine; the stream would take 8 s to end on its own, and then
  // as `completed`).
  await expect.poll(() => closing(cassette)?.stream?.state, { timeout: 4000 }).toBe('interrupted');
  const result = await stop();
  expect(result.exchanges).toBe(1);
  const response = closing(cassette);
  expect(response?.stream?.state).toBe('interrupted');
  // What the grace writes when it has to close a stream: never here.
  expect(lines(cassette).filter((l) => l.type === 'error.event')).toEqual([]);
  const events = lines(cassette).filter((l) => l.type === 'stream.event');
  expect(events.length).toBeGreaterThan(0);
}

describe('a client that goes away mid-stream while recording', () => {
  test('AbortController on the openai SDK closes the stream as interrupted at once', async () => {
    const { cassette, recording, origin } = await start();
    const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries: 0 });
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'long' }], stream: true },
      { signal: controller.signal },
    );
    let seen = 0;
    // The SDK ends its iterator quietly on its own abort (or throws an APIUserAbortError).
    await (async () => {
      for await (const _chunk of stream) {
        if (++seen === 3) controller.abort();
      }
    })().catch((error: Error) => expect(error.name).toMatch(/Abort/));
    expect(seen).toBe(3);
    await expectClosedOnAbort(cassette, () => recording.stop());
  });

  test('req.destroy() on node:http closes the stream as interrupted at once', async () => {
    const { cassette, recording, origin } = await start();
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'long' }],
      stream: true,
    });
    await new Promise<void>((resolve) => {
      const req = httpRequest(
        `${origin}/v1/chat/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', () => undefined);
      req.end(body);
    });
    await expectClosedOnAbort(cassette, () => recording.stop());
  });
});

describe('a client that stops reading but keeps its connection', () => {
  test('is closed by the grace at stop(), which says so in an E_CLIENT_ABANDONED note', async () => {
    const { cassette, recording, origin } = await start();
    const response = await fetch(`${origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: true }),
    });
    const reader = response.body!.getReader();
    await reader.read();
    // Still open: nothing told the recorder the client is gone.
    expect(closing(cassette)).toBeUndefined();
    await recording.stop();
    expect(closing(cassette)?.stream?.state).toBe('interrupted');
    const notes = lines(cassette).filter((l) => l.type === 'error.event');
    expect(notes).toMatchObject([{ code: 'E_CLIENT_ABANDONED', source: 'client' }]);
    await reader.cancel();
  });
});
