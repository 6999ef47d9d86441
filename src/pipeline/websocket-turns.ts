/**
 * A Responses WebSocket as exchanges: every client message (`response.create`) starts one, and
 * the server messages that follow are its stream, which ends at the provider's terminal event.
 * The listener's proxy and the in-process recorder both capture sockets through this, so a turn
 * is written the same whichever door it came through (docs/FORMAT.md, transport `websocket`).
 */
import type { CapturePipeline, ExchangeCapture } from './capture.ts';
import type { RawRequest } from './exchange.ts';

export interface WebSocketTurns {
  /** The turn being answered, if any. */
  readonly current: ExchangeCapture | null;
  /** A client message: a new request (a turn still streaming was cut short by it). */
  clientFrame(data: Uint8Array): void;
  /** A server message: the next event of the current turn (binary frames carry no events). */
  serverFrame(data: Uint8Array, isBinary: boolean): void;
  /** Ends the current turn now: cleanly, or cut short (`aborted`). */
  finish(aborted: boolean): void;
}

export function websocketTurns(
  pipeline: CapturePipeline,
  /** The upgrade request: every turn is a request to its URL with its headers. */
  upgrade: Omit<RawRequest, 'body' | 'transport'>,
  /** Called with each exchange once it has ended (the listener closes it in its rotation). */
  onEnd: (exchange: ExchangeCapture) => void = () => {},
  /** Called with each exchange as it begins (the listener marks synthetic/replay sources). */
  onBegin: (exchange: ExchangeCapture) => void = () => {},
): WebSocketTurns {
  let current: ExchangeCapture | null = null;
  const finish = (aborted: boolean) => {
    const ended = current;
    current = null;
    if (!ended) return;
    ended.end(aborted ? { aborted: true } : {});
    onEnd(ended);
  };
  return {
    get current() {
      return current;
    },
    clientFrame(data) {
      finish(true);
      current = pipeline.begin({ ...upgrade, body: data, transport: 'websocket' });
      if (current) onBegin(current);
    },
    serverFrame(data, isBinary) {
      if (!current || isBinary) return;
      current.frame(Buffer.from(data).toString('utf8'));
      if (current.done) finish(false);
    },
    finish,
  };
}
