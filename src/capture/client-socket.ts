/**
 * The server end of one intercepted WebSocket connection, spoken on the connection's server-side
 * socket (capture/websocket.ts) with `ws`'s own frame parser and writer: client frames are
 * unmasked and joined into messages, pings answered, the close handshake completed.
 *
 * @note `ws`'s `WebSocket#setSocket` (what its server uses) cannot take that socket: the
 * interceptor calls socket listeners with another `this`, which `ws`'s data handler relies on.
 * `Receiver` and `Sender`, which `ws` exports, need no such thing.
 */
import type { Duplex } from 'node:stream';
import * as wsModule from 'ws';

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
