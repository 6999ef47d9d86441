/**
 * The fastest replay route: `globalThis.fetch` itself, answered without undici. A client that
 * calls the global `fetch`, or was built after replay first started (the SDKs keep the `fetch`
 * they find at construction), gets the recorded response straight from the cassette: no
 * `Request`, no fetch algorithm, no dispatcher. Polly.js works this way, and undici's fetch
 * machinery was the largest cost left in replay (bench/replay-sdk.ts).
 *
 * Everything else still goes the long way, unchanged: calls this shortcut cannot read cheaply
 * (a `Request` as input, a streamed or form body), clients that kept an earlier `fetch`, and every
 * call while no replay is active. Those reach undici, where fetch-route.ts or the socket-level
 * interceptor answer them as before.
 *
 * @note Installed once, then kept for the life of the process (as the interceptor is): a client
 * built during one replay keeps this function, so it must pass through when replay has ended.
 * @note Not used while a parity trace records the requests: undici adds default headers
 * (`accept`, `user-agent`) that a recording made through it has, and a trace must see the same.
 */
import type { RawRequest } from '../pipeline/exchange.ts';
import { responseOf } from '../replay/serve.ts';
import type { RouteAnswer } from './fetch-route.ts';
import { headersRecord } from './raw.ts';
import { currentScope } from './scopes.ts';

/**
 * `Response` as it was when this module loaded, before the socket-level interceptor wraps the
 * global one in a Proxy that records raw headers on every construction (for its own clients):
 * that bookkeeping cost more per replayed request than building the response itself.
 */
const NativeResponse = globalThis.Response;

let installed = false;

/**
 * Installs the shortcut once: each call is answered by the replay scope it belongs to
 * (capture/scopes.ts), if that scope allows the shortcut; every other call goes the long way.
 */
export function installFetchShortcut(): void {
  if (installed) return;
  installed = true;
  const previous = globalThis.fetch;
  globalThis.fetch = function fetch(input, init) {
    const scope = currentScope();
    const answer = typeof scope === 'object' && scope?.shortcut ? scope.answer : undefined;
    const raw = answer ? readCheaply(input, init) : null;
    if (!answer || !raw) return previous(input, init);
    return serve(answer, raw, init?.signal ?? null, () => previous(input, init));
  } as typeof globalThis.fetch;
}

async function serve(
  a: RouteAnswer,
  raw: RawRequest & { href: string },
  signal: AbortSignal | null,
  fallThrough: () => Promise<Response>,
): Promise<Response> {
  signal?.throwIfAborted();
  // The caller's own signal when it has one (SDKs always pass one): a controller of our own per
  // request only relayed it, at the cost of an AbortController and a listener each time.
  const own = signal ?? new AbortController().signal;
  const answered = await a(Promise.resolve(raw), own);
  signal?.throwIfAborted();
  const response =
    answered && 'chunks' in answered ? responseOf(answered, own, NativeResponse) : answered;
  if (!response) return fallThrough();
  if (response.type === 'error') {
    // What fetch does when the connection fails: a TypeError with the reason as its cause.
    throw new TypeError('fetch failed', {
      cause: new Error('The recorded request got no response'),
    });
  }
  Object.defineProperty(response, 'url', { value: raw.href });
  return response;
}

/**
 * The request as the pipeline's raw shape, when it can be had without building a `Request`:
 * a string or URL input, and no body or a string/bytes body. `null` sends the call the long way.
 */
function readCheaply(
  input: string | URL | Request,
  init: RequestInit | undefined,
): (RawRequest & { href: string }) | null {
  if (typeof input !== 'string' && !(input instanceof URL)) return null;
  const body = init?.body;
  let bytes: Uint8Array | null = null;
  if (typeof body === 'string') bytes = Buffer.from(body);
  else if (body instanceof Uint8Array) bytes = body;
  else if (body instanceof ArrayBuffer) bytes = new Uint8Array(body);
  else if (body !== undefined && body !== null) return null;
  let url: URL;
  try {
    url = input instanceof URL ? input : new URL(input);
  } catch {
    return null;
  }
  return {
    method: (init?.method ?? 'GET').toUpperCase(),
    url: `${url.pathname}${url.search}`,
    origin: url.origin,
    headers: headersRecord(init?.headers),
    body: bytes && bytes.length > 0 ? bytes : null,
    transport: 'http',
    href: url.href,
  };
}
