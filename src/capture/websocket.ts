/**
 * The handshake side of an in-process WebSocket: which upgrades are provider sockets, the `101`
 * that answers them, and the connection's server-side socket, which capture/client-socket.ts
 * then speaks WebSocket frames on. Record mode relays the frames to the real upstream, replay mode
 * answers them from the cassette (capture/websocket-record.ts, capture/websocket-replay.ts).
 *
 * @note Why not `WebSocketInterceptor` (@mswjs/interceptors 0.45): it patches only the global
 * `WebSocket` class. The `ws` package (the openai SDK's `ResponsesWS`) and direct undici use are
 * seen only as HTTP `Upgrade` requests by `HttpRequestInterceptor`, the same interceptor that
 * already sees the global `WebSocket`'s handshake (undici dials through `net`). Answering the
 * upgrade there covers every client with one code path. With `HttpRequestInterceptor` alone,
 * the request's `initiator` is the connection's server-side socket: what the client writes comes
 * out of it, and what we write to it is what the client reads.
 *
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { FetchResponse } from '@mswjs/interceptors';
import { cliName } from '../cli-name.ts';
import { ReplayKitError } from '../errors.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import { detectRoute } from '../providers/index.ts';
import type { ProviderHosts } from '../providers/opaque.ts';
import type { RouteInfo } from '../providers/types.ts';
import { processRequire } from './process-wide.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** `GET` with `Upgrade: websocket`: a WebSocket handshake, whoever the client. */
export function isWebSocketUpgrade(request: Request): boolean {
  return (
    request.method === 'GET' &&
    (request.headers.get('upgrade') ?? '').toLowerCase() === 'websocket' &&
    request.headers.has('sec-websocket-key')
  );
}

/** The `101` that completes the client's handshake (a fetch `Response` cannot carry 101). */
export function switchingProtocols(request: Request, protocol?: string): Response {
  const key = request.headers.get('sec-websocket-key') ?? '';
  const headers: Record<string, string> = {
    upgrade: 'websocket',
    connection: 'Upgrade',
    'sec-websocket-accept': createHash('sha1').update(`${key}${GUID}`).digest('base64'),
  };
  if (protocol) headers['sec-websocket-protocol'] = protocol;
  // The interceptor's own class, from its one copy in the process (process-wide.ts).
  const { FetchResponse: Response101 } = processRequire('@mswjs/interceptors') as {
    FetchResponse: typeof FetchResponse;
  };
  return new Response101(null, { status: 101, statusText: 'Switching Protocols', headers });
}

/** The sub-protocols the client offered (`Sec-WebSocket-Protocol`), in its order. */
export function offeredProtocols(request: Request): string[] {
  return (request.headers.get('sec-websocket-protocol') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/**
 * The connection's server-side socket, which is how the interceptor hands us the request's
 * `initiator` when it is the only interceptor applied. Another interceptor in the process (msw's
 * client interceptors) makes the initiator its client object instead: those frames cannot be
 * reached, and recording must say so rather than write a cassette of bare handshakes.
 */
function serverSide(request: Request, initiator: unknown, doing: string): Duplex {
  if (initiator instanceof net.Socket) return initiator;
  const url = new URL(request.url);
  throw new ReplayKitError(
    'E_WEBSOCKET_CAPTURE',
    `Failed to ${doing} "GET ${url.pathname}" over WebSocket: replaykit cannot reach the frames of this connection (another interceptor in the process, such as msw's, owns it). Capture it with the listener (${cliName()} listen), or switch the client to HTTP (for @openai/agents: useResponsesWebSocket: false).`,
  );
}

/**
 * `serverSide`, or, when the frames are out of reach, the failure kept for `stop()` and a `500`
 * naming it for the client: the handshake never completes, so no turn is lost silently.
 */
export function refuseUncapturable(
  failures: ReplayKitError[],
  request: Request,
  initiator: unknown,
  doing: string,
  respondWith: (response: Response) => void,
): Duplex | null {
  try {
    return serverSide(request, initiator, doing);
  } catch (error) {
    refuse(failures, error as ReplayKitError, respondWith);
    return null;
  }
}

/** Keeps `failure` for `stop()` and answers the handshake with a `500` naming it. */
export function refuse(
  failures: ReplayKitError[],
  failure: ReplayKitError,
  respondWith: (response: Response) => void,
): void {
  failures.push(failure);
  respondWith(
    Response.json(
      { error: { message: failure.message, type: 'replaykit_error', code: failure.code } },
      { status: 500, headers: { 'x-replaykit-error': failure.code } },
    ),
  );
}

/**
 * What an upgrade is to replaykit: the Responses WebSocket (captured turn by turn), another socket
 * to a provider origin (the Realtime API and the like: no provider module speaks it, so it can be
 * neither recorded nor replayed, and must not slip by unrecorded or reach the provider in
 * replay), or someone else's socket (passed through untouched).
 */
export function classifyUpgrade(
  raw: RawRequest,
  hosts: ProviderHosts,
): { kind: 'responses'; route: RouteInfo } | { kind: 'provider' } | { kind: 'other' } {
  const route = detectRoute({ ...raw, body: null });
  if (route?.streamFormat === 'websocket') return { kind: 'responses', route };
  return route || hosts.providerOf(raw) ? { kind: 'provider' } : { kind: 'other' };
}

/** The refusal of a provider socket no provider module speaks. */
export function unsupportedSocket(request: Request, doing: string): ReplayKitError {
  const url = new URL(request.url);
  return new ReplayKitError(
    'E_WEBSOCKET_CAPTURE',
    `Failed to ${doing} "GET ${url.pathname}" over WebSocket: replaykit captures only the Responses WebSocket (GET /v1/responses) on a provider host, and this socket would ${doing === 'record' ? 'go unrecorded' : 'reach the provider'}. Use the provider's HTTP API for it inside record(), or open it outside record().`,
  );
}
