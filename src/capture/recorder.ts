/**
 * Record mode: requests go to the network untouched; every provider exchange is written through
 * the shared capture pipeline as it happens (request at send time, streams event by event), so a
 * crashed test run still leaves what it saw on disk.
 */
import type { CapturePipeline, ExchangeCapture } from '../pipeline/capture.ts';
import type { InterceptHandler } from './interceptor.ts';
import { headersRecord, rawRequest } from './raw.ts';

export class RecordHandler implements InterceptHandler {
  readonly #pipeline: CapturePipeline;
  readonly #open = new Map<string, { exchange: ExchangeCapture; signal: AbortSignal }>();
  readonly #reading = new Set<Promise<void>>();
  readonly #streaming = new Set<ExchangeCapture>();

  constructor(pipeline: CapturePipeline) {
    this.#pipeline = pipeline;
  }

  async onRequest({ request, requestId }: { request: Request; requestId: string }): Promise<void> {
    const exchange = this.#pipeline.begin(await rawRequest(request));
    if (exchange) this.#open.set(requestId, { exchange, signal: request.signal });
  }

  onResponse({ response, requestId }: { response: Response; requestId: string }): void {
    const open = this.#open.get(requestId);
    if (!open) return;
    this.#open.delete(requestId);
    open.exchange.head(response.status, headersRecord(response.headers));
    // Read a clone in a detached task: the client reads the original at its own pace.
    this.#streaming.add(open.exchange);
    const task = drain(response.clone(), open.exchange, open.signal).finally(() => {
      this.#reading.delete(task);
      this.#streaming.delete(open.exchange);
    });
    this.#reading.add(task);
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
    for (const exchange of this.#streaming) exchange.end({ aborted: true });
    for (const { exchange } of this.#open.values()) {
      exchange.fail('E_NO_RESPONSE', 'The request got no response before the recording stopped.');
    }
    this.#open.clear();
    return this.#pipeline.exchanges;
  }
}

/**
 * @note When the client aborts (an SDK stops reading at Chat's `[DONE]` and aborts its request),
 * the clone of the body neither ends nor errors: the abort signal is the only way to know it is
 * over, so it is raced against every read.
 */
async function drain(
  response: Response,
  exchange: ExchangeCapture,
  signal: AbortSignal,
): Promise<void> {
  if (!response.body) {
    exchange.end();
    return;
  }
  const reader = response.body.getReader();
  let onAbort = () => {};
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), aborted]);
      if (next === 'aborted') {
        reader.cancel().catch(() => undefined);
        exchange.end({ aborted: true });
        return;
      }
      if (next.done) break;
      exchange.chunk(next.value);
      // The provider's terminal event (`[DONE]`, `response.completed`, `message_stop`) ends the
      // exchange: SDKs stop reading there, and the rest of the clone may never arrive.
      if (exchange.done) {
        reader.cancel().catch(() => undefined);
        break;
      }
    }
    exchange.end();
  } catch {
    exchange.end({ aborted: true });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
