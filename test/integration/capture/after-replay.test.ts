/**
 * Provider traffic that arrives after a replay scope ended is refused, never sent (issue 13,
 * symptom 6). The class: `run` throws while a sibling call (the other half of a `Promise.all`) has
 * not reached `fetch` yet; `record()` stops first, and the late call then reached the network with
 * the app's key. Each case here makes its call only once the scope has ended, through each route a
 * call can take: the fetch shortcut (`globalThis.fetch`), an SDK client built before replaykit
 * patched anything (undici fetch route), and `node:http`. The recorded upstream is stopped and a
 * tripwire listens on its port, so a request that reached the network is seen by name.
 *
 * Traffic that is not a provider's still passes through (an SDK talking to a gateway on this
 * machine, such as the replaykit listener, included), and record and passthrough scopes go live.
 */
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { startTripwire, type Tripwire } from '../../support/tripwire.ts';

const LATE = /after the replay scope ended.*Await every call before the scope ends/s;

let up: FakeUpstream;
let trip: Tripwire;
let origin: string;
let cassette: string;
let early: OpenAI;
let bystander: http.Server;
let bystanderUrl: string;

const chat = (content: string) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content }],
});

/** A plain server no rule calls a provider's: it must be reachable before, during and after. */
async function startBystander(): Promise<void> {
  bystander = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`bystander ${req.method} ${req.url}`);
  });
  await new Promise<void>((resolve) => bystander.listen(0, '127.0.0.1', resolve));
  const { port } = bystander.address() as { port: number };
  bystanderUrl = `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  up = await startFakeUpstream();
  origin = up.url;
  // Before any record() in this worker: the client keeps Node's own fetch (undici route).
  early = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries: 0 });
  cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-after-replay-')), 'late.rpk');
  up.reply(() => ({ kind: 'text', text: 'recorded answer' }));
  await record({ cassette, mode: 'record' }, () => early.chat.completions.create(chat('hi')));
  await up.close();
  trip = await startTripwire(Number(new URL(origin).port));
  await startBystander();
});
afterAll(async () => {
  await trip?.close();
  await new Promise((resolve) => bystander?.close(resolve));
});

/**
 * Replays a scope whose `run` throws while `late` has not started; `late` then runs once
 * `record()` has rejected, as the slow half of a `Promise.all` does.
 */
async function lateAfterThrow<T>(late: () => Promise<T>): Promise<T> {
  let go!: () => void;
  const gate = new Promise<void>((resolve) => (go = resolve));
  const pending = gate.then(late);
  pending.catch(() => undefined);
  await expect(
    record({ cassette, mode: 'replay' }, async () => {
      expect((await early.chat.completions.create(chat('hi'))).choices[0]?.message.content).toBe(
        'recorded answer',
      );
      throw new Error('the first call failed');
    }),
  ).rejects.toThrow('the first call failed');
  go();
  return pending;
}

function nodeHttp(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the fetch shortcut: a late call to the recorded host is refused with the way out', async () => {
  const r = await lateAfterThrow(() =>
    fetch(`${origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-live-SECRET' },
      body: JSON.stringify(chat('not awaited')),
    }),
  );
  const text = await r.text();
  const message: string = JSON.parse(text).error.message;
  expect(r.status).toBe(400);
  expect(message).toMatch(LATE);
  expect(message).toContain(`[replaykit] Failed to replay "POST ${origin}/v1/chat/completions":`);
  expect(text).not.toContain('sk-live-SECRET');
  expect(trip.hits).toEqual([]);
});

test('an SDK client built before replay (undici route): the late call fails, nothing is sent', async () => {
  const error = await lateAfterThrow(() =>
    early.chat.completions.create(chat('the twin')).then(
      () => null,
      (e: unknown) => e,
    ),
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
  expect(String((error as Error).message)).toMatch(LATE);
  expect(trip.hits).toEqual([]);
});

test('node:http: an unmodelled route on the recorded host:port is refused too', async () => {
  const r = await lateAfterThrow(() =>
    nodeHttp(`${origin}/v1/files`, 'POST', { 'content-type': 'text/plain' }, 'bytes'),
  );
  expect(r.status).toBe(400);
  expect(r.text).toMatch(LATE);
  expect(trip.hits).toEqual([]);
});

test('an SDK-identified request to a host no cassette recorded is refused, before any lookup', async () => {
  // `.invalid` never resolves (RFC 6761): even a request let through would reach no one.
  const sdk = new OpenAI({
    apiKey: 'sk-test-FAKE',
    baseURL: 'http://gateway.replaykit.invalid/v1',
    maxRetries: 0,
  });
  const error = await lateAfterThrow(() =>
    sdk.models.list().then(
      () => null,
      (e: unknown) => e,
    ),
  );
  expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
  expect(String((error as Error).message)).toMatch(LATE);
});

test('an SDK talking to another port on this machine (a listener, a gateway) still gets through', async () => {
  const sdk = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${bystanderUrl}/v1`, maxRetries: 0 });
  const answer = await lateAfterThrow(() =>
    sdk.chat.completions
      .create(chat('through the local gateway'))
      .asResponse()
      .then((r) => r.text()),
  );
  expect(answer).toBe('bystander POST /v1/chat/completions');
});

test('traffic that is not a provider still passes through after the scope, on every route', async () => {
  const viaFetch = await lateAfterThrow(() =>
    fetch(`${bystanderUrl}/health`).then((r) => r.text()),
  );
  expect(viaFetch).toBe('bystander GET /health');
  const viaHttp = await nodeHttp(`${bystanderUrl}/upload`, 'POST', {}, 'payload');
  expect(viaHttp).toEqual({ status: 200, text: 'bystander POST /upload' });
  // A non-provider path on a host that is not a provider's, posted JSON by hand.
  const posted = await fetch(`${bystanderUrl}/v1/things`, { method: 'POST', body: '{}' });
  expect(await posted.text()).toBe('bystander POST /v1/things');
});

test('record mode is unaffected: a record scope after a replay reaches its upstream', async () => {
  const live = await startFakeUpstream();
  try {
    live.reply(() => ({ kind: 'text', text: 'live answer' }));
    const client = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${live.url}/v1`, maxRetries: 0 });
    const dir = mkdtempSync(path.join(tmpdir(), 'rk-after-replay-rec-'));
    const { value, exchanges } = await record(
      { cassette: path.join(dir, 'rec.rpk'), mode: 'record' },
      async () => (await client.chat.completions.create(chat('hi'))).choices[0]?.message.content,
    );
    expect(value).toBe('live answer');
    expect(exchanges).toBe(1);
    expect(live.received).toHaveLength(1);
  } finally {
    await live.close();
  }
});

test('a passthrough scope after a replay sends its provider calls live, as that mode says', async () => {
  await record({ cassette, mode: 'replay' }, () => early.chat.completions.create(chat('hi')));
  const live = await startFakeUpstream();
  try {
    live.reply(() => ({ kind: 'text', text: 'live answer' }));
    const client = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${live.url}/v1`, maxRetries: 0 });
    const { value } = await record(
      { cassette: path.join(tmpdir(), 'rk-never-written.rpk'), mode: 'passthrough' },
      async () => (await client.chat.completions.create(chat('hi'))).choices[0]?.message.content,
    );
    expect(value).toBe('live answer');
    expect(live.received).toHaveLength(1);
  } finally {
    await live.close();
  }
});
