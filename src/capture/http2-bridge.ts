/**
 * HTTP/2 provider requests, recorded and replayed (issue 16 item 4).
 *
 * @note The AWS SDK's Bedrock Runtime client speaks only HTTP/2 (`NodeHttp2Handler`), so its
 * default client must be recorded without asking users to swap the request handler. A provider
 * request made on an HTTP/2 session is moved to a session served in this process: its client
 * end is the caller's real `ClientHttp2Stream` (the SDK parses real HTTP/2 frames), its server
 * end (`http2.performServerHandshake` over an in-memory duplex pair) hands each stream to the
 * recording's own handler as a web `Request`, exactly like a request the socket interceptor
 * saw. Record: the request goes on to the provider over a real HTTP/2 session of its own (the
 * SigV4 signature covers `:authority`, so it must stay HTTP/2) and the response is recorded as
 * it streams through. Replay: the handler answers from the cassette, and a session to an origin
 * the cassette recorded is served in process from the start, so replay opens no connection.
 */
import { randomUUID } from 'node:crypto';
import http2 from 'node:http2';
import { duplexPair, Readable } from 'node:stream';
import type { InterceptHandler } from './interceptor.ts';

type Connect = typeof http2.connect;
type RequestFn = http2.ClientHttp2Session['request'];

/** What a bridged stream needs: whose handler answers, and how to reach the real origin. */
export interface Bridge {
  handler: () => InterceptHandler | undefined;
  /** A real session to `origin`, past the socket interceptor. */
  connectReal: (origin: string) => http2.ClientHttp2Session;
  /** The unpatched `ClientHttp2Session.prototype.request`. */
  request: RequestFn;
}

// Connection-specific headers have no place in an HTTP/2 response (RFC 9113 8.2.2).
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]);

/** Sessions served in process: their requests are never bridged again. */
const local = new WeakSet<http2.ClientHttp2Session>();

export function isLocalSession(session: http2.ClientHttp2Session): boolean {
  return local.has(session);
}

/** A client session to `origin` whose every stream is answered by `bridge` in this process. */
export function localSession(
  connect: Connect,
  origin: string,
  bridge: Bridge,
): http2.ClientHttp2Session {
  const [clientEnd, serverEnd] = duplexPair();
  const server = http2.performServerHandshake(serverEnd);
  server.on('error', () => undefined);
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    serve(stream, headers, origin, bridge).catch((error: unknown) => {
      if (!stream.destroyed) stream.destroy(error instanceof Error ? error : undefined);
    });
  });
  const session = connect(origin, { createConnection: () => clientEnd });
  local.add(session);
  session.once('close', () => {
    server.destroy();
    serverEnd.destroy();
  });
  return session;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function serve(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  origin: string,
  bridge: Bridge,
): Promise<void> {
  const method = String(headers[':method'] ?? 'GET');
  const body = await readAll(stream);
  const requestHeaders = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) requestHeaders.append(name, String(v));
  }
  const url = new URL(String(headers[':path'] ?? '/'), origin);
  const bodyless = method === 'GET' || method === 'HEAD';
  const request = new Request(url, {
    method,
    headers: requestHeaders,
    ...(bodyless ? {} : { body: new Uint8Array(body) }),
  });
  const requestId = `h2 ${randomUUID()}`;
  const handler = bridge.handler();
  let answer: Response | undefined;
  await handler?.onRequest({
    request,
    requestId,
    respondWith: (response) => {
      answer ??= response;
    },
  });
  if (answer) {
    handler?.onResponse({ response: answer, requestId, mocked: true });
    return respond(stream, answer);
  }
  const response = await forward(bridge, origin, headers, body);
  handler?.onResponse({ response, requestId, mocked: false });
  return respond(stream, response);
}

/** The request sent on over a real HTTP/2 session; its response as a streaming web `Response`. */
async function forward(
  bridge: Bridge,
  origin: string,
  headers: http2.IncomingHttpHeaders,
  body: Buffer,
): Promise<Response> {
  const session = bridge.connectReal(origin);
  session.on('error', () => undefined);
  const outgoing: http2.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && name !== ':scheme') outgoing[name] = value;
  }
  const upstream = Reflect.apply(bridge.request, session, [
    outgoing,
    { endStream: body.length === 0 },
  ]) as http2.ClientHttp2Stream;
  if (body.length > 0) upstream.end(body);
  upstream.once('close', () => session.close());
  const head = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
    upstream.once('response', resolve);
    upstream.once('error', reject);
  });
  const status = Number(head[':status'] ?? 502);
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(head)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, String(v));
  }
  const empty = status === 204 || status === 304;
  const stream = empty ? null : (Readable.toWeb(upstream) as ReadableStream<Uint8Array>);
  return new Response(stream, { status, headers: responseHeaders });
}

/** Writes a web `Response` onto the caller's stream, chunk by chunk as it arrives. */
async function respond(stream: http2.ServerHttp2Stream, response: Response): Promise<void> {
  if (response.type === 'error') {
    stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  const head: http2.OutgoingHttpHeaders = { ':status': response.status };
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) head[name] = value;
  });
  if (stream.destroyed) return;
  stream.respond(head);
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (stream.destroyed) return void reader.cancel().catch(() => undefined);
      if (!stream.write(value)) await new Promise((resolve) => stream.once('drain', resolve));
    }
  }
  stream.end();
}
