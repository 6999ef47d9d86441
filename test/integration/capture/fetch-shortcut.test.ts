/**
 * The fetch shortcut (src/capture/fetch-shortcut.ts): during replay, `globalThis.fetch` answers
 * from the cassette without undici. What a caller must not be able to tell apart from the long
 * way: the recorded answer, the URL on the response, aborts, a `Request` input, and, once replay
 * has ended, a `fetch` kept from inside it reaching other servers as any fetch would (loopback),
 * while a provider call through it is refused (capture/after-replay.ts).
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let cassette: string;
const body = (content: string, stream = false) =>
  JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content }] });
const post = (content: string, stream = false, signal?: AbortSignal) =>
  fetch(`${up.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-FAKE' },
    body: body(content, stream),
    ...(signal ? { signal } : {}),
  });

beforeAll(async () => {
  up = await startFakeUpstream();
  cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-shortcut-')), 'shortcut.rpk');
  up.enqueue({ kind: 'text', text: 'first answer' });
  up.enqueue({ kind: 'text', text: 'a streamed answer in several words' });
  up.enqueue({ kind: 'text', text: 'third answer' });
  await record({ cassette, mode: 'record' }, async () => {
    await (await post('one')).text();
    await (await post('two', true)).text();
    await (await post('three')).text();
  });
  up.reset();
});
afterAll(() => up.close());

test('answers from the cassette with the request URL on the response; nothing reaches the server', async () => {
  const { value } = await record({ cassette, mode: 'replay', strict: false }, async () => {
    const r = await post('one');
    return { url: r.url, status: r.status, json: await r.json() };
  });
  expect(up.received).toHaveLength(0);
  expect(value.url).toBe(`${up.url}/v1/chat/completions`);
  expect(value.status).toBe(200);
  expect(value.json.choices[0].message.content).toBe('first answer');
});

test('a Request as input goes the long way and gets the same answer', async () => {
  const { value } = await record({ cassette, mode: 'replay', strict: false }, async () => {
    const request = new Request(`${up.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body('three'),
    });
    return (await (await fetch(request)).json()).choices[0].message.content;
  });
  expect(value).toBe('third answer');
  expect(up.received).toHaveLength(0);
});

test('an aborted signal rejects the call; an abort mid-stream fails the read', async () => {
  await record({ cassette, mode: 'replay', strict: false }, async () => {
    const before = new AbortController();
    before.abort();
    await expect(post('one', false, before.signal)).rejects.toMatchObject({ name: 'AbortError' });

    const during = new AbortController();
    const r = await post('two', true, during.signal);
    const reader = r.body!.getReader();
    await reader.read();
    during.abort();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return 'finished';
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });
});

test('a fetch kept from inside replay passes other traffic once replay has ended, never a provider call', async () => {
  const { value: kept } = await record(
    { cassette, mode: 'replay', strict: false },
    async () => globalThis.fetch,
  );
  const other = createServer((req, res) => {
    req.resume();
    res.end(`plain ${req.method} ${req.url}`);
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = other.address() as AddressInfo;
    const plain = await kept(`http://127.0.0.1:${port}/v1/things`, { method: 'POST', body: '{}' });
    expect(await plain.text()).toBe('plain POST /v1/things');
  } finally {
    await new Promise((resolve) => other.close(resolve));
  }
  // The recorded host is a provider's: once the scope ended, a call there is refused, not sent.
  const r = await kept(`${up.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body('not in the cassette'),
  });
  expect(r.status).toBe(400);
  expect((await r.json()).error.message).toMatch(/after the replay scope ended/);
  expect(up.received).toHaveLength(0);
});
