/**
 * The fetch route (undici's global dispatcher) serving answers as they are given to it: chunk by
 * chunk into undici's callbacks, waiting when the client is not reading, stopping on abort,
 * failing after the last chunk of a dropped connection, and handing unanswered requests to the
 * original dispatcher with their bodies. Nothing here leaves the machine: answered requests never
 * open a socket, and the passthrough one goes to a server on 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { installFetchRoute, type RouteAnswer } from '../../../src/capture/fetch-route.ts';
import type { Served } from '../../../src/replay/serve.ts';

// Answered by the route: nothing listens here, and nothing is sent.
const URL_ANSWERED = 'http://127.0.0.1:59999/v1/anything';

let uninstall: (() => void) | undefined;
afterEach(() => uninstall?.());

function route(answer: RouteAnswer) {
  uninstall = installFetchRoute(answer);
}

const sse = (n: number) => Buffer.from(`data: {"n":${n}}\n\n`);

/** The chunks, and how many of them the route has taken so far. */
function counted(chunks: Buffer[]) {
  const seen = { taken: 0 };
  const proxy = new Proxy(chunks, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) {
        seen.taken = Math.max(seen.taken, Number(key) + 1);
      }
      return Reflect.get(target, key, receiver);
    },
  });
  return { chunks: proxy, seen };
}

async function readAll(body: ReadableStream<Uint8Array>) {
  const reads: string[] = [];
  const reader = body.getReader();
  for (;;) {
    const next = await reader.read();
    if (next.done) return reads;
    reads.push(Buffer.from(next.value).toString());
  }
}

const turns = (n: number) =>
  new Promise<void>((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : setImmediate(() => step(left - 1)));
    step(n);
  });

test('status, headers and the body reach the client as served; a null-body status has no body', async () => {
  route(async () => ({
    status: 201,
    headers: [
      ['content-type', 'application/json'],
      ['x-request-id', 'req_1'],
    ],
    chunks: [Buffer.from('{"ok":true}')],
  }));
  const res = await fetch(URL_ANSWERED, { method: 'POST', body: '{}' });
  expect(res.status).toBe(201);
  expect(res.headers.get('x-request-id')).toBe('req_1');
  expect(await res.json()).toEqual({ ok: true });

  uninstall?.();
  route(async () => ({ status: 204, headers: [], chunks: null }));
  const empty = await fetch(URL_ANSWERED);
  expect(empty.status).toBe(204);
  expect(empty.body).toBeNull();
});

test('paced chunks arrive as separate reads, in order', async () => {
  const chunks = [sse(1), sse(2), sse(3), Buffer.from('data: [DONE]\n\n')];
  route(async () => ({ status: 200, headers: [], chunks, waits: [0, 5, 5, 5] }));
  const res = await fetch(URL_ANSWERED);
  expect(await readAll(res.body!)).toEqual(chunks.map(String));
});

test('a client that stops reading holds the rest back; reading on gets every byte in order', async () => {
  // 256 chunks of 64 KB: far more than undici buffers for a client that is not reading.
  const all = Array.from({ length: 256 }, (_, i) => Buffer.alloc(64 * 1024, i % 251));
  const { chunks, seen } = counted(all);
  route(async () => ({ status: 200, headers: [], chunks }));
  const res = await fetch(URL_ANSWERED);
  const reader = res.body!.getReader();
  const read: Uint8Array[] = [];
  const first = await reader.read();
  read.push(first.value!);
  await turns(20);
  expect(seen.taken).toBeGreaterThan(0);
  expect(seen.taken).toBeLessThan(all.length);
  for (let next = await reader.read(); !next.done; next = await reader.read())
    read.push(next.value);
  expect(seen.taken).toBe(all.length);
  expect(Buffer.concat(read).equals(Buffer.concat(all))).toBe(true);
});

test('an abort stops the stream: the client gets an AbortError and the route takes no more chunks', async () => {
  const all = Array.from({ length: 50 }, (_, i) => sse(i));
  const { chunks, seen } = counted(all);
  route(async () => ({ status: 200, headers: [], chunks, waits: all.map(() => 2) }));
  const controller = new AbortController();
  const res = await fetch(URL_ANSWERED, { signal: controller.signal });
  const reader = res.body!.getReader();
  await reader.read();
  controller.abort();
  await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  await turns(20);
  expect(seen.taken).toBeLessThan(all.length);
});

test('a dropped connection fails the body after its last chunk, which the client still reads', async () => {
  const interrupted: Served = {
    status: 200,
    headers: [['content-type', 'text/event-stream']],
    chunks: [sse(1), sse(2)],
    failure: 'terminated: the recorded stream was interrupted here',
  };
  route(async () => interrupted);
  const res = await fetch(URL_ANSWERED);
  const reads: string[] = [];
  const reader = res.body!.getReader();
  const error = await (async () => {
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) return null;
        reads.push(Buffer.from(next.value).toString());
      }
    } catch (e) {
      return e as Error;
    }
  })();
  expect(reads.join('')).toBe(`${sse(1)}${sse(2)}`);
  expect(error).toBeInstanceOf(TypeError);

  uninstall?.();
  route(async () => ({ ...interrupted, chunks: [Buffer.from('{"cut":')] }));
  const cut = await fetch(URL_ANSWERED);
  await expect(cut.json()).rejects.toThrow(TypeError);
});

test('an unanswered request goes on to the original dispatcher with its body', async () => {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      received.push(`${req.method} ${req.url} ${body}`);
      res.end('from the server');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    route(async (raw) =>
      (await raw).url === '/answered'
        ? { status: 200, headers: [], chunks: [Buffer.from('from the route')] }
        : null,
    );
    const passed = await fetch(`http://127.0.0.1:${port}/passed`, {
      method: 'POST',
      body: 'hello',
    });
    expect(await passed.text()).toBe('from the server');
    const answered = await fetch(`http://127.0.0.1:${port}/answered`);
    expect(await answered.text()).toBe('from the route');
    expect(received).toEqual(['POST /passed hello']);
  } finally {
    uninstall?.();
    uninstall = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
