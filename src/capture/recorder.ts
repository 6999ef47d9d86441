/**
 * Record mode: requests go to the network untouched; every provider exchange is written through
 * the shared capture pipeline as it happens (request at send time, streams event by event), so a
 * crashed test run still leaves what it saw on disk.
 */

import { createHash } from 'node:crypto';
import type { ReplayKitError } from '../errors.ts';
import type { CapturePipeline, ExchangeCapture } from '../pipeline/capture.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import type { ProviderHosts } from '../providers/opaque.ts';
import type { DispatchedExchange } from './fetch-record.ts';
import type { InterceptedRequest, InterceptHandler } from './interceptor.ts';
import { headersRecord, rawRequest } from './raw.ts';
import { afterTerminal } from './terminal-grace.ts';
import {
  classifyUpgrade,
  isWebSocketUpgrade,
  refuse,
  refuseUncapturable,
  unsupportedSocket,
} from './websocket.ts';
import { type RecordedSocket, recordWebSocket } from './websocket-record.ts';

export class RecordHandler implements InterceptHandler {
  /** Traffic that could not be recorded (a WebSocket whose frames are out of reach). */
  readonly failures: ReplayKitError[] = [];
  readonly #pipeline: CapturePipeline;
  readonly #sockets = new Set<RecordedSocket>();
  readonly #open = new Map<string, { exchange: ExchangeCapture; gone: ClientGone }>();
  readonly #reading = new Set<Promise<void>>();
  readonly #streaming = new Set<ExchangeCapture>();
  /**
   * Requests the fetch route records, by `sentKey`, one ticket per call: the socket-level request
   * of such a call is skipped. Identical requests may use each other's tickets; a call takes its
   * own back only if no socket-level request used it.
   */
  readonly #skip = new Map<string, Set<object>>();
  #turn: Promise<unknown> = Promise.resolve();

  /** Provider origins learned from the recorded traffic (the pipeline's own). */
  readonly #hosts: ProviderHosts;

  constructor(pipeline: CapturePipeline, hosts: ProviderHosts) {
    this.#pipeline = pipeline;
    this.#hosts = hosts;
  }

  async onRequest({
    request,
    requestId,
    initiator,
    respondWith,
  }: InterceptedRequest): Promise<void> {
    if (isWebSocketUpgrade(request)) {
      const raw = await rawRequest(request);
      const upgrade = classifyUpgrade(raw, this.#hosts);
      if (upgrade.kind === 'provider') {
        const failure = unsupportedSocket(request, 'record');
        this.#pipeline.fault(failure, raw.url);
        return refuse(this.failures, failure, respondWith);
      }
      // Not a provider socket: it goes to the network untouched, unrecorded.
      if (upgrade.kind === 'other') return;
      const socket = refuseUncapturable(this.failures, request, initiator, 'record', respondWith);
      if (!socket) {
        this.#pipeline.fault(this.failures.at(-1), raw.url);
        return;
      }
      this.#sockets.add(await recordWebSocket(request, raw, socket, this.#pipeline, respondWith));
      return;
    }
    const raw = await rawRequest(request);
    if (this.#skipped(raw)) return;
    const exchange = this.#pipeline.begin(raw);
    if (exchange)
      this.#open.set(requestId, { exchange, gone: clientGone(request.signal, initiator) });
  }

  /** A socket-level request that is a fetch this recorder already records (its ticket is used). */
  async owns(request: Request): Promise<boolean> {
    if (this.#skip.size === 0 || isWebSocketUpgrade(request)) return false;
    return this.#skipped(await rawRequest(request));
  }

  onResponse({ response, requestId }: { response: Response; requestId: string }): void {
    const open = this.#open.get(requestId);
    if (!open) return;
    this.#open.delete(requestId);
    open.exchange.head(response.status, headersRecord(response.headers));
    // Read a clone in a detached task: the client reads the original at its own pace.
    this.#streaming.add(open.exchange);
    const task = drain(response.clone(), open.exchange, open.gone).finally(() => {
      this.#reading.delete(task);
      this.#streaming.delete(open.exchange);
    });
    this.#reading.add(task);
  }

  /**
   * A `fetch` call seen at undici's global dispatcher (fetch-record.ts). Calls take their turn in
   * the order they were dispatched, so concurrent calls are numbered in the order the app issued
   * them, the order replay matches them in (issue 13, symptom 2).
   */
  dispatched(raw: Promise<RawRequest>): Promise<DispatchedExchange | null> {
    const turn = this.#turn.then(async () => {
      const request = await raw;
      const exchange = this.#pipeline.begin(request);
      return exchange ? this.#follow(exchange, request) : null;
    });
    this.#turn = turn.catch(() => undefined);
    return turn;
  }

  /** Whether a dispatched request may be provider traffic (fetch-record.ts reads its body then). */
  mayRecord(head: Omit<RawRequest, 'body'>): boolean {
    return this.#pipeline.mayCapture(head);
  }

  #follow(exchange: ExchangeCapture, request: RawRequest): DispatchedExchange {
    const key = sentKey(request);
    const ticket = {};
    const tickets = this.#skip.get(key) ?? new Set();
    this.#skip.set(key, tickets.add(ticket));
    // Until its response head, an unanswered call is written at stop() as the socket path does.
    const id = `fetch ${exchange.correlation_id}`;
    this.#open.set(id, { exchange, gone: { promise: new Promise(() => {}), dispose() {} } });
    // The socket-level request, if the interceptor sees one, comes before the response head.
    const release = () => {
      tickets.delete(ticket);
      if (tickets.size === 0 && this.#skip.get(key) === tickets) this.#skip.delete(key);
    };
    let headed = false;
    let finish = () => {};
    return {
      exchange,
      head: (status, headers) => {
        release();
        headed = true;
        this.#open.delete(id);
        exchange.head(status, headers);
        this.#streaming.add(exchange);
        const task = new Promise<void>((resolve) => {
          finish = resolve;
        }).finally(() => {
          this.#reading.delete(task);
          this.#streaming.delete(exchange);
        });
        this.#reading.add(task);
      },
      settled: (how) => {
        release();
        if (!headed) return;
        // A client that goes away after the terminal event read the whole response.
        if (how === 'complete' || exchange.done) exchange.end();
        else exchange.end({ aborted: true });
        finish();
      },
    };
  }

  #skipped(raw: RawRequest): boolean {
    if (this.#skip.size === 0) return false;
    const key = sentKey(raw);
    const tickets = this.#skip.get(key);
    const ticket = tickets?.values().next().value;
    if (!tickets || !ticket) return false;
    tickets.delete(ticket);
    if (tickets.size === 0) this.#skip.delete(key);
    return true;
  }

  /**
   * Waits for the bodies still being read, up to `graceMs` (a stream the client abandoned may
   * never end: it is then written as interrupted); requests that never got a response become
   * errors.
   */
  async settle(graceMs = 2000): Promise<number> {
    const deadline = Date.now() + graceMs;
    while (this.#reading.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      await Promise.race([Promise.allSettled([...this.#reading]), timeout]);
      clearTimeout(timer);
    }
    for (const exchange of this.#streaming) {
      // Past its terminal event, a response whose server keeps the connection is whole.
      if (exchange.done) {
        exchange.end();
        continue;
      }
      // Only a client that stopped reading without closing its connection gets here.
      exchange.note(
        'E_CLIENT_ABANDONED',
        `The response was still being read when the recording stopped, ${graceMs} ms later: the client stopped reading without closing it. Closed as interrupted.`,
        { source: 'client' },
      );
      exchange.end({ aborted: true });
    }
    for (const socket of this.#sockets) socket.close();
    this.#sockets.clear();
    for (const { exchange, gone } of this.#open.values()) {
      gone.dispose();
      exchange.fail('E_NO_RESPONSE', 'The request got no response before the recording stopped.');
    }
    this.#open.clear();
    return this.#pipeline.exchanges;
  }
}

/** Resolves when the client went away: its abort signal, or its socket closing. */
interface ClientGone {
  readonly promise: Promise<'gone'>;
  dispose(): void;
}

interface Closable {
  once(event: 'close', listener: () => void): unknown;
  removeListener(event: 'close', listener: () => void): unknown;
  readonly destroyed?: boolean;
}

const isClosable = (value: unknown): value is Closable =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Closable).once === 'function' &&
  typeof (value as Closable).removeListener === 'function';

/**
 * @note The interceptor passes the client's socket as the request's `initiator` (for `fetch` and
 * `node:http` alike). Its `close` is the one sign that reaches us when the client aborts after the
 * response head: the request's signal only fires before it, and the clone of a passthrough body
 * neither ends nor errors when the connection drops mid-message (@mswjs/interceptors 0.45 frees
 * its response parser without an error). Without this, such a stream stayed open until the 2 s
 * grace in `settle` (issue 13, symptom 7).
 */
function clientGone(signal: AbortSignal, initiator: unknown): ClientGone {
  let fire = () => {};
  const promise = new Promise<'gone'>((resolve) => {
    fire = () => resolve('gone');
  });
  const socket = isClosable(initiator) ? initiator : null;
  const dispose = () => {
    signal.removeEventListener('abort', fire);
    socket?.removeListener('close', fire);
  };
  if (signal.aborted || socket?.destroyed) fire();
  else {
    signal.addEventListener('abort', fire, { once: true });
    socket?.once('close', fire);
  }
  return { promise, dispose };
}

/** One turn of the event loop: bytes already received are delivered by then. */
const turn = () => new Promise<'idle'>((resolve) => setImmediate(() => resolve('idle')));

/**
 * @note When the client aborts
 * (an SDK stops reading at Chat's `[DONE]` and aborts its request, a test calls `req.destroy()`),
 * the clone of the body neither ends nor errors: the client going away is the only way to know it
 * is over, so it is raced against every read. Bytes that arrived before it are still read (a
 * client may close right after the terminal event): reads then wait no longer than an event-loop
 * turn, and the stream ends `interrupted` unless the terminal event was among them. After the
 * terminal event, reading goes on until the server closes or stays quiet for `TERMINAL_GRACE_MS`.
 */
async function drain(
  response: Response,
  exchange: ExchangeCapture,
  gone: ClientGone,
): Promise<void> {
  if (!response.body) {
    gone.dispose();
    exchange.end();
    return;
  }
  const reader = response.body.getReader();
  let left = false;
  // A read that lost a race is still pending: it is awaited again, never dropped with its bytes.
  let pending: ReturnType<typeof reader.read> | null = null;
  let quiet: Promise<'quiet'> | null = null;
  const grace = afterTerminal(() => wake('quiet'));
  let wake: (why: 'quiet') => void = () => {};
  try {
    for (;;) {
      pending ??= reader.read();
      const next = await Promise.race([pending, left ? turn() : gone.promise, quiet ?? NEVER]);
      if (next === 'gone') {
        left = true;
        continue;
      }
      if (next === 'idle' || next === 'quiet') {
        reader.cancel().catch(() => undefined);
        // Quiet after the terminal event: a kept-alive connection, the response is whole.
        exchange.end(exchange.done ? {} : { aborted: true });
        return;
      }
      pending = null;
      if (next.done) break;
      exchange.chunk(next.value);
      // A terminal-looking event is not the end (OpenAI sends `error`, then `response.failed`,
      // issue 14 item 3): reading goes on until the server closes, or a quiet grace after it.
      if (exchange.done) {
        quiet = new Promise((resolve) => {
          wake = resolve;
        });
        grace.arm();
      }
    }
    exchange.end();
  } catch {
    exchange.end({ aborted: true });
  } finally {
    grace.cancel();
    gone.dispose();
  }
}

const NEVER = new Promise<never>(() => {});

/**
 * What identifies a request on the wire: method, origin, path and body. Identical concurrent
 * requests share it, and any of them may stand for another: only their count matters here.
 */
function sentKey(raw: RawRequest): string {
  let origin = raw.origin ?? '';
  try {
    origin = new URL(origin).origin;
  } catch {
    // Not a URL: compared as it is.
  }
  const body = raw.body ? createHash('sha256').update(raw.body).digest('hex') : '';
  return `${raw.method} ${origin}${raw.url} ${body}`;
}
