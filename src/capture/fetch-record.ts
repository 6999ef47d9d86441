/**
 * Record mode's route for `fetch`: undici's global dispatcher, where the replay route answers
 * (fetch-route.ts). Each call is begun in the order fetch dispatched it, and its response is
 * captured from that call's own handler callbacks, on the way to the client.
 *
 * @note Why not at the socket, where everything else is recorded (issue 13, symptom 2): identical
 * concurrent requests are told apart only by the call they belong to. The socket-level
 * interceptor sees requests in the order their connections come up (a kept-alive socket freed a
 * moment after the first call beats that call's new connection), so the recording numbered the
 * calls in another order than the app issued them, and replay, which matches in call order,
 * gave each call another call's answer. Requests recorded here are skipped by the socket-level
 * recorder (RecordHandler.dispatched); clients with their own dispatcher, and `node:http`, are
 * still recorded there.
 */
import type { ExchangeCapture } from '../pipeline/capture.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import {
  type Dispatcher,
  type DispatchOptions,
  dispatchedHead,
  dispatchedRequest,
  type FetchHandler,
  installGlobalDispatch,
} from './fetch-route.ts';
import { headersRecord } from './raw.ts';
import { afterTerminal } from './terminal-grace.ts';

/** What the route reports of one recorded call; the recorder writes it. */
export interface DispatchedExchange {
  readonly exchange: ExchangeCapture;
  /** The status line and headers arrived. */
  head(status: number, headers: Record<string, string>): void;
  /** The call is over: the response ended, failed, or the client went away. */
  settled(how: 'complete' | 'failed' | 'gone'): void;
}

export interface DispatchRecorder {
  /** Whether a request may be recorded, before its body is read: if not, it goes on untouched. */
  wants(head: Omit<RawRequest, 'body'>): boolean;
  /**
   * Takes each dispatched request in dispatch order (its body may still be arriving) and says
   * whether it is recorded: `null` sends it on as it was.
   */
  take(raw: Promise<RawRequest>): Promise<DispatchedExchange | null>;
}

export function installFetchRecorder(recorder: DispatchRecorder): () => void {
  return installGlobalDispatch((original, options, handler) =>
    recordDispatch(original, recorder, options, handler),
  );
}

/** One dispatch recorded by `recorder` on its way to `original`. */
export function recordDispatch(
  original: Dispatcher,
  recorder: DispatchRecorder,
  options: DispatchOptions,
  handler: FetchHandler,
): void {
  // Anything that cannot be provider traffic keeps its body as it was (a stream stays a stream).
  if (!recorder.wants(dispatchedHead(options))) {
    original.dispatch(options, handler);
    return;
  }
  const raw = dispatchedRequest(options);
  recorder
    .take(raw)
    .then(async (recorded) => {
      // The body was read: the bytes go on instead of the used-up iterable.
      const sent = { ...options, body: (await raw).body };
      original.dispatch(sent, recorded ? observed(handler, recorded) : handler);
    })
    .catch((error) => handler.onError?.(error));
}

/**
 * The client's handler, with the callbacks fetch uses seen on their way (only those it has: undici
 * picks its handler API by the methods present).
 */
function observed(handler: FetchHandler, recorded: DispatchedExchange): FetchHandler {
  const { exchange } = recorded;
  let ended = false;
  const grace = afterTerminal(() => settle('complete'));
  const settle = (how: 'complete' | 'failed' | 'gone') => {
    if (ended) return;
    ended = true;
    grace.cancel();
    recorded.settled(how);
  };
  const hooks: Partial<FetchHandler> = {
    onConnect(abort) {
      handler.onConnect?.((reason) => {
        settle('gone');
        abort(reason);
      });
    },
    onHeaders(status, raw, resume, statusText) {
      recorded.head(
        status,
        headersRecord(raw.map((b) => (typeof b === 'string' ? b : b.toString('latin1')))),
      );
      return handler.onHeaders?.(status, raw, resume, statusText) ?? true;
    },
    onData(chunk) {
      if (!ended) {
        exchange.chunk(chunk);
        // A terminal-looking event is not the end (OpenAI sends `error`, then `response.failed`,
        // issue 14 item 3): reading goes on until the server closes, or a quiet grace after it.
        if (exchange.done) grace.arm();
      }
      return handler.onData?.(chunk) ?? true;
    },
    onComplete(trailers) {
      settle('complete');
      handler.onComplete?.(trailers);
    },
    onError(error) {
      settle('failed');
      handler.onError?.(error);
    },
  };
  return new Proxy(handler, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return hooks[property as keyof FetchHandler] ?? value.bind(target);
    },
  });
}
