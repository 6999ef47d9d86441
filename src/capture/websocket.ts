/**
 * The server end of an in-process WebSocket: once the interceptor has answered a client's upgrade
 * with our `101`, the connection's server-side socket speaks WebSocket frames through `ws`'s own
 * frame parser and writer. Record mode relays these frames to the real upstream, replay mode
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
 * @note `ws`'s `WebSocket#setSocket` (what its server uses) cannot take that socket: the
 * interceptor calls socket listeners with another `this`, which `ws`'s data handler relies on.
 * `Receiver` and `Sender`, which `ws` exports, need no such thing.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { FetchResponse } from '@mswjs/interceptors';
import * as wsModule from 'ws';
import { ReplayKitError } from '../errors.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import { detectRoute } from '../providers/index.ts';
import type { RouteInfo } from '../providers/types.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

interface FrameReceiver extends NodeJS.WritableStream {
  on(event: 'message', cb: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'ping', cb: (data: Buffer) => void): this;
  on(event: 'conclude', cb: (code: number, reason: Buffer) => void): this;
  on(event: 'error', cb: (error: Error & { [k: symbol]: number }) => void): this;
}
interface FrameSender {
  send(data: Buffer, options: { binary: boolean; fin: boolean; mask: boolean }): void;
  pong(data: Buffer, mask: boolean): void;
  close(code: number, reason: string, mask: boolean, cb?: () => void): void;
}
// Exported by `ws` (ESM and CommonJS) but not declared by @types/ws.
const { Receiver, Sender } = wsModule as unknown as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => FrameReceiver;
  Sender: new (socket: Duplex) => FrameSender;
};

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
  return new FetchResponse(null, { status: 101, statusText: 'Switching Protocols', headers });
}

/** The first sub-protocol the client offered, which a replay accepts as the upstream did. */
export function offeredProtocols(request: Request): string[] {
  return (request.headers.get('sec-websocket-protocol') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

export interface ClientEvents {
  /** A whole message from the client (fragments joined). */
  message(data: Buffer, isBinary: boolean): void;
  /** The client closed (close frame, or the connection went away). Called once. */
  close(code: number, reason: string): void;
}

/** The server end of one intercepted WebSocket connection. */
export class ClientSocket {
  readonly #socket: Duplex;
  readonly #sender: FrameSender;
  #closed = false;
  #events: ClientEvents;

  constructor(socket: Duplex, events: ClientEvents) {
    this.#socket = socket;
    this.#events = events;
    this.#sender = new Sender(socket);
    const receiver = new Receiver({ isServer: true, maxPayload: 0 });
    receiver.on('message', (data, isBinary) => this.#events.message(data, isBinary));
    receiver.on('ping', (data) => this.#sender.pong(data, false));
    receiver.on('conclude', (code, reason) => {
      // Answer the close handshake, then end the connection as a server does.
      this.close(code === 1005 ? 1000 : code, reason.toString());
    });
    receiver.on('error', (error) => this.close(1002, error.message));
    socket.on('data', (chunk: Buffer) => receiver.write(chunk));
    socket.once('close', () => this.#gone(1006, ''));
    socket.once('error', () => this.#gone(1006, ''));
  }

  get open(): boolean {
    return !this.#closed;
  }

  sendText(text: string): void {
    if (this.#closed) return;
    this.#sender.send(Buffer.from(text), { binary: false, fin: true, mask: false });
  }

  sendBinary(data: Buffer): void {
    if (this.#closed) return;
    this.#sender.send(data, { binary: true, fin: true, mask: false });
  }

  /** Sends a close frame and ends the connection. */
  close(code = 1000, reason = ''): void {
    if (this.#closed) return;
    const sendable = code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000;
    this.#sender.close(sendable, reason, false, () => this.#socket.end());
    this.#gone(code, reason);
  }

  /** Drops the connection without a close frame (a recorded cut, a dropped upstream). */
  terminate(): void {
    this.#socket.destroy();
    this.#gone(1006, '');
  }

  #gone(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.close(code, reason);
  }
}

/**
 * The connection's server-side socket, which is how the interceptor hands us the request's
 * `initiator` when it is the only interceptor applied. Another interceptor in the process (msw's
 * client interceptors) makes the initiator its client object instead: those frames cannot be
 * reached, and recording must say so rather than write a cassette of bare handshakes.
 */
export function serverSide(request: Request, initiator: unknown, doing: string): Duplex {
  if (initiator instanceof net.Socket) return initiator;
  const url = new URL(request.url);
  throw new ReplayKitError(
    'E_WEBSOCKET_CAPTURE',
    `Failed to ${doing} "GET ${url.pathname}" over WebSocket: replaykit cannot reach the frames of this connection (another interceptor in the process, such as msw's, owns it). Capture it with the listener (replaypack listen), or switch the client to HTTP (for @openai/agents: useResponsesWebSocket: false).`,
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
    const failure = error as ReplayKitError;
    failures.push(failure);
    respondWith(
      Response.json(
        { error: { message: failure.message, type: 'replaykit_error', code: failure.code } },
        { status: 500, headers: { 'x-replaykit-error': failure.code } },
      ),
    );
    return null;
  }
}

/** The provider route of a WebSocket upgrade: the Responses WebSocket, or `null`. */
export function socketRoute(raw: RawRequest): RouteInfo | null {
  const route = detectRoute({ ...raw, body: null });
  return route?.streamFormat === 'websocket' ? route : null;
}
