/**
 * The fast replay route for `fetch`: Node's fetch asks undici's global dispatcher
 * (`globalThis[Symbol.for('undici.globalDispatcher.1')]`) for a connection on EVERY request, so a
 * dispatcher installed there answers recorded exchanges without a socket, an HTTP parser or a
 * second `Request` — and still catches SDK clients built before `record()` started (they keep a
 * reference to `fetch`, not to a dispatcher). The socket-level interceptor stays installed for
 * `node:http` clients; requests this route does not answer go on to the original dispatcher
 * unchanged (where the socket-level interceptor sees them as before).
 *
 * @note The idea is undici's own MockAgent (a Dispatcher whose `dispatch` answers through the
 * handler callbacks); the callbacks used are the ones Node's bundled fetch passes (undici 7:
 * `onConnect`, `onHeaders`, `onData`, `onComplete`, `onError`).
 *
 * @note A recorded answer comes as a `Served` description and is pushed into those callbacks
 * directly: building a web `Response` first and reading it back (a Blob or a ReadableStream, a
 * promise per chunk) cost more than everything else the route does.
 */
import type { RawRequest } from '../pipeline/exchange.ts';
import { delay, dropped, type Served } from '../replay/serve.ts';
import { headersRecord } from './raw.ts';

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

export interface DispatchOptions {
  origin?: string | URL;
  path: string;
  method?: string;
  headers?: Record<string, string | string[] | undefined> | string[] | null;
  body?: unknown;
  upgrade?: string | null;
}

export interface FetchHandler {
  onConnect?(abort: (reason?: unknown) => void): void;
  onResponseStarted?(): void;
  onHeaders?(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: Buffer[] | null): void;
  onError?(error: unknown): void;
}

export interface Dispatcher {
  dispatch(options: DispatchOptions, handler: FetchHandler): boolean;
  [key: string]: unknown;
}

/**
 * Answers a request: a served recording as it is (status, headers, chunks), a `Response` when
 * there is none to serve, or `null` to let it go on to the network. Called synchronously in
 * dispatch order (the body may still be arriving), so concurrent requests keep their arrival order.
 */
export type RouteAnswer = (
  raw: Promise<RawRequest>,
  signal: AbortSignal,
) => Promise<Served | Response | null>;

type GlobalSlot = { [GLOBAL_DISPATCHER]?: Dispatcher };

/** Installs the route; returns the function that removes it (if it is still the one installed). */
export function installFetchRoute(answer: RouteAnswer): () => void {
  return installGlobalDispatch((original, options, handler) =>
    routeDispatch(original, answer, options, handler),
  );
}

/** One dispatch answered by `answer` (or sent on to `original` when it answers `null`). */
export function routeDispatch(
  original: Dispatcher,
  answer: RouteAnswer,
  options: DispatchOptions,
  handler: FetchHandler,
  pass: Dispatcher['dispatch'] = (o, h) => original.dispatch(o, h),
): void {
  serve(answer, options, handler, pass).catch((error) => handler.onError?.(error));
}

/**
 * Puts `dispatch` in front of undici's global dispatcher (upgrades go straight on); returns the
 * function that restores the original, if this one is still installed. The record route
 * (fetch-record.ts) and the replay route share it.
 */
export function installGlobalDispatch(
  dispatch: (original: Dispatcher, options: DispatchOptions, handler: FetchHandler) => void,
): () => void {
  const slot = globalThis as GlobalSlot;
  const original = slot[GLOBAL_DISPATCHER] ?? createDefaultDispatcher();
  if (!original) return () => {};
  const front = (options: DispatchOptions, handler: FetchHandler): boolean => {
    if (options.upgrade) return original.dispatch(options, handler);
    dispatch(original, options, handler);
    return true;
  };
  // Everything but `dispatch` is the original's, called on the original (close, destroy, events).
  const route = new Proxy(original, {
    get(target, property) {
      if (property === 'dispatch') return front;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  slot[GLOBAL_DISPATCHER] = route;
  return () => {
    if (slot[GLOBAL_DISPATCHER] === route) slot[GLOBAL_DISPATCHER] = original;
  };
}

/**
 * undici creates its global Agent on the first fetch; Node does not expose the class. A fetch
 * aborted right after the call creates it (synchronously) without ever opening a connection.
 */
function createDefaultDispatcher(): Dispatcher | undefined {
  const controller = new AbortController();
  fetch('http://127.0.0.1:59999/', { signal: controller.signal }).catch(() => undefined);
  controller.abort();
  return (globalThis as GlobalSlot)[GLOBAL_DISPATCHER];
}

async function serve(
  answer: RouteAnswer,
  options: DispatchOptions,
  handler: FetchHandler,
  pass: Dispatcher['dispatch'],
): Promise<void> {
  const abort = new AbortController();
  handler.onConnect?.((reason) => abort.abort(reason ?? new DOMException('aborted', 'AbortError')));
  const raw = dispatchedRequest(options);
  const response = await answer(raw, abort.signal);
  if (!response) {
    // The body was read: send the bytes on instead of the consumed iterable.
    pass({ ...options, body: (await raw).body }, handler);
    return;
  }
  if ('chunks' in response) return send(response, handler, abort.signal);
  if (response.type === 'error') throw new TypeError('The recorded request got no response');
  await pump(response, handler, abort.signal);
}

/** A served recording, chunk by chunk: onData returning false waits for undici's resume. */
async function send(answer: Served, handler: FetchHandler, signal: AbortSignal): Promise<void> {
  let resume: (() => void) | undefined;
  const resumed = () => new Promise<void>((resolve) => (resume = resolve));
  const raw: Buffer[] = [];
  // Latin-1 both ways: undici reads header bytes as latin1, as fetch's Headers hold them.
  for (const [name, value] of answer.headers) {
    raw.push(Buffer.from(name, 'latin1'), Buffer.from(value, 'latin1'));
  }
  handler.onResponseStarted?.();
  let flowing = handler.onHeaders?.(answer.status, raw, () => resume?.(), '') !== false;
  const { chunks, waits } = answer;
  if (!chunks) return handler.onComplete?.([]);
  for (let i = 0; i < chunks.length; i++) {
    if (!flowing) await resumed();
    if (waits && waits[i]! > 0) await delay(waits[i]!, signal);
    if (signal.aborted) throw signal.reason;
    flowing = handler.onData?.(chunks[i]!) !== false;
  }
  // The end waits for the client too: a failure must not discard chunks it has not read yet.
  if (!flowing) await resumed();
  if (answer.failure) {
    await dropped();
    throw signal.aborted ? signal.reason : new TypeError(answer.failure);
  }
  if (signal.aborted) throw signal.reason;
  handler.onComplete?.([]);
}

async function pump(response: Response, handler: FetchHandler, signal: AbortSignal) {
  const waiting: { resume?: () => void } = {};
  const resumed = () => new Promise<void>((resolve) => (waiting.resume = resolve));
  const raw: Buffer[] = [];
  response.headers.forEach((value, name) => {
    raw.push(Buffer.from(name), Buffer.from(value));
  });
  handler.onResponseStarted?.();
  const flowing = handler.onHeaders?.(
    response.status,
    raw,
    () => waiting.resume?.(),
    response.statusText,
  );
  if (!response.body) {
    handler.onComplete?.([]);
    return;
  }
  const reader = response.body.getReader();
  const stop = () => reader.cancel(signal.reason).catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    if (flowing === false) await resumed();
    for (;;) {
      const next = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (next.done) break;
      if (
        handler.onData?.(
          Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength),
        ) === false
      ) {
        await resumed();
      }
    }
    handler.onComplete?.([]);
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/** The request undici was asked to send, without its body. */
export function dispatchedHead(options: DispatchOptions): Omit<RawRequest, 'body'> {
  return {
    method: (options.method ?? 'GET').toUpperCase(),
    url: options.path,
    origin: String(options.origin ?? ''),
    headers: headersRecord(options.headers),
    transport: 'http',
  };
}

/** The request undici was asked to send, its body read whole (the iterable is used up). */
export function dispatchedRequest(options: DispatchOptions): Promise<RawRequest> {
  return readBody(options.body).then(
    (body): RawRequest => ({
      ...dispatchedHead(options),
      body: body && body.length > 0 ? body : null,
    }),
  );
}

async function readBody(body: unknown): Promise<Uint8Array | null> {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  const parts: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(parts);
}
