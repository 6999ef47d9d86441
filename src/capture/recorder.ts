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
  readonly #open = new Map<string, ExchangeCapture>();
  readonly #reading = new Set<Promise<void>>();

  constructor(pipeline: CapturePipeline) {
    this.#pipeline = pipeline;
  }

  async onRequest({ request, requestId }: { request: Request; requestId: string }): Promise<void> {
    const exchange = this.#pipeline.begin(await rawRequest(request));
    if (exchange) this.#open.set(requestId, exchange);
  }

  onResponse({ response, requestId }: { response: Response; requestId: string }): void {
    const exchange = this.#open.get(requestId);
    if (!exchange) return;
    this.#open.delete(requestId);
    exchange.head(response.status, headersRecord(response.headers));
    // Read a clone in a detached task: the client reads the original at its own pace.
    const task = drain(response.clone(), exchange).finally(() => this.#reading.delete(task));
    this.#reading.add(task);
  }

  /** Waits for the bodies still being read; requests that never got a response become errors. */
  async settle(): Promise<number> {
    while (this.#reading.size > 0) await Promise.allSettled([...this.#reading]);
    for (const exchange of this.#open.values()) {
      exchange.fail('E_NO_RESPONSE', 'The request got no response before the recording stopped.');
    }
    this.#open.clear();
    return this.#pipeline.exchanges;
  }
}

async function drain(response: Response, exchange: ExchangeCapture): Promise<void> {
  if (!response.body) {
    exchange.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      exchange.chunk(value);
    }
    exchange.end();
  } catch {
    exchange.end({ aborted: true });
  }
}
