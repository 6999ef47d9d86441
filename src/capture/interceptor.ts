/**
 * One process-wide interceptor, shared by reference count. We use @mswjs/interceptors'
 * `HttpRequestInterceptor` (Node 22+), which works below `fetch` at the socket level: SDK clients
 * that captured `fetch` at construction, before `record()` started (a module-level
 * `new OpenAI()`), are intercepted too. The fetch-patching interceptors miss those
 * (see shared/FACTS.md; proven by test/integration/capture/early-client.test.ts).
 *
 * @note Once applied, the interceptor stays applied for the life of the process (with no handler,
 * every request passes through untouched). Disposing it left keep-alive sockets that were created
 * under interception in undici's pool; the next recording's requests then went out on those stale
 * sockets unseen (seen on Node 22 in test/integration/capture/streaming.test.ts).
 *
 * @note One per process, not one per copy of this module: Jest evaluates it again for every test
 * file. The interceptor is loaded with Node's own loader and the handler slot is process-wide
 * (process-wide.ts); keep-alive sockets opened while one file ran then reach the next file's
 * handler instead of a gone one (issue 22: record mode lost every file's traffic but the first).
 *
 * @note Listeners are awaited by the interceptor before the response reaches the client, so
 * response bodies are read in a detached task; awaiting them here would buffer every stream.
 */
import type { Interceptor } from '@mswjs/interceptors';
import type { HttpRequestInterceptor } from '@mswjs/interceptors/http';
import type { SocketInterceptor } from '@mswjs/interceptors/net';
import { ownedAfterReplay, refuseAfterReplay } from './after-replay.ts';
import { installHttp2Route } from './http2-route.ts';
import { processRequire, processWide } from './process-wide.ts';
import { headersRecord, rawRequest } from './raw.ts';
import {
  activeCount,
  activeScopes,
  carryContexts,
  currentScope,
  ENDED,
  OUTSIDE,
  outsideAnswer,
} from './scopes.ts';

/** `SocketController.PENDING`: the connection is not claimed or passed through yet. */
const PENDING = 0;

export interface InterceptedRequest {
  request: Request;
  requestId: string;
  /**
   * What opened the request. With this interceptor alone, the connection's server-side socket:
   * what the client writes comes out of it (capture/websocket.ts), and it closes when the client
   * goes away (clientGone in capture/recorder.ts).
   */
  initiator?: unknown;
  respondWith(response: Response): void;
}

export interface InterceptHandler {
  onRequest(event: InterceptedRequest): Promise<void> | void;
  onResponse(event: { response: Response; requestId: string; mocked: boolean }): void;
  /** Record: the request is a fetch this handler records at undici's dispatcher (skip it). */
  owns?(request: Request): Promise<boolean> | boolean;
}

interface Shared {
  interceptor: HttpRequestInterceptor | null;
}

const shared = () => processWide<Shared>('capture.interceptor', () => ({ interceptor: null }));

/**
 * Applies the interceptor once per process; each request then goes to the handler of the scope
 * it belongs to (capture/scopes.ts).
 */
export function installInterceptor(): void {
  const state = shared();
  if (!state.interceptor) {
    carryContexts();
    const { HttpRequestInterceptor: Http } = processRequire('@mswjs/interceptors/http') as {
      HttpRequestInterceptor: typeof HttpRequestInterceptor;
    };
    const { Interceptor: Base } = processRequire('@mswjs/interceptors') as {
      Interceptor: typeof Interceptor;
    };
    const { SocketInterceptor: Sockets } = processRequire('@mswjs/interceptors/net') as {
      SocketInterceptor: typeof SocketInterceptor;
    };
    const interceptor = new Http();
    state.interceptor = interceptor;
    interceptor.apply();
    // HTTP/2 sessions would hang under the socket interceptor: see http2-route.ts.
    installHttp2Route();
    // With no recording active, a TLS connection that offers HTTP/2 goes straight to the network,
    // handshake and ALPN included. The emulated handshake answers ALPN with the client's first
    // choice (HTTP/1.1 for undici with allowH2, which is how such clients are captured while
    // recording), and the real connection keeps it: an HTTP/2-only server then refused them, even
    // after record() (issue 21).
    Base.singleton(Sockets).on('connection', (event) => {
      const alpn = (event.connectionOptions as { ALPNProtocols?: unknown }).ALPNProtocols;
      const offersH2 = Array.isArray(alpn) && alpn.includes('h2');
      // Except to a provider once a replay has ended: that request must be seen, to be refused.
      const provider = ownedAfterReplay(originOfConnection(event.connectionOptions));
      if (activeCount() === 0 && offersH2 && !provider && event.controller.readyState === PENDING) {
        event.controller.passthrough();
      }
    });
    interceptor.on('request', async ({ request, requestId, controller, initiator }) => {
      // A proxy's CONNECT is never provider traffic, and its body is the tunnel: reading it (as
      // the handlers read every body) threw, and the interceptor answered the client 500 (issue
      // 21). Requests inside the tunnel still come here, each on its own.
      if (request.method === 'CONNECT') return;
      const late = () => {
        // No scope: provider traffic that arrives after a replay ended must not go out (issue 13).
        const refusal = refuseAfterReplay(headOf(request));
        if (refusal) controller.respondWith(refusal);
      };
      if (activeCount() === 0) return late();
      // A fetch some record scope already owns at undici's dispatcher: undici may write it from
      // another call's continuation, so its context says nothing about whose it is.
      for (const scope of activeScopes()) {
        if (await scope.intercept?.owns?.(request)) return;
      }
      const scope = currentScope();
      if (scope === ENDED) return late();
      if (scope === OUTSIDE) {
        const answer = outsideAnswer(await rawRequest(request));
        if (answer) controller.respondWith(answer);
        return;
      }
      await scope?.intercept?.onRequest({
        request,
        requestId,
        initiator,
        respondWith: (response) => controller.respondWith(response),
      });
    });
    interceptor.on('response', ({ response, requestId, responseType }) => {
      // Only the handler that took the request knows its id.
      for (const scope of activeScopes()) {
        scope.intercept?.onResponse({ response, requestId, mocked: responseType === 'mock' });
      }
    });
  }
}

function headOf(request: Request) {
  const url = new URL(request.url);
  return {
    method: request.method,
    url: `${url.pathname}${url.search}`,
    origin: url.origin,
    headers: headersRecord(request.headers),
  };
}

/** `scheme://host:port` of a connection the socket interceptor reports (TLS when it has ALPN). */
function originOfConnection(options: unknown): string | undefined {
  const o = options as { host?: unknown; servername?: unknown; port?: unknown };
  const host = typeof o.servername === 'string' ? o.servername : o.host;
  if (typeof host !== 'string') return undefined;
  const port = o.port === undefined ? '' : `:${String(o.port)}`;
  try {
    return new URL(`https://${host.includes(':') ? `[${host}]` : host}${port}`).origin;
  } catch {
    return undefined;
  }
}
