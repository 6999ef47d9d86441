/**
 * Replay (stub) mode: provider requests never reach the network. Each one is normalised and
 * redacted exactly as at record time, matched against the cassette, and answered with the
 * recorded response, streamed event by event.
 *
 * @note Matching runs in arrival order, even though request bodies are read asynchronously: each
 * request takes its turn synchronously when the interceptor hands it over, so identical concurrent
 * requests get the recorded answers in recorded order on every run.
 */
import type { CapturePipeline } from '../pipeline/capture.ts';
import { providerErrorBody } from '../providers/error-body.ts';
import { requestSteps } from '../providers/index.ts';
import type { Redactor } from '../redaction/index.ts';
import { ReplayDivergenceError } from '../replay/divergence.ts';
import { feedFailure, feedResponse, serveOptionsOf } from '../replay/feed.ts';
import type { ReplayMatcher } from '../replay/matcher.ts';
import { toResponse } from '../replay/serve.ts';
import type { InterceptedRequest, InterceptHandler } from './interceptor.ts';
import { rawRequest } from './raw.ts';

export interface ReplayHandlerOptions {
  matcher: ReplayMatcher;
  redactor: Redactor;
  replaySpeed: number;
  /** What happens to requests that are not provider traffic. */
  unhandled: 'passthrough' | 'error';
  /** Parity: every served exchange is also captured here, as a recorder would have. */
  trace?: CapturePipeline;
}

export class ReplayHandler implements InterceptHandler {
  readonly divergences: ReplayDivergenceError[] = [];
  served = 0;
  readonly #o: ReplayHandlerOptions;
  #turn: Promise<unknown> = Promise.resolve();
  readonly #feeding = new Set<Promise<void>>();

  constructor(options: ReplayHandlerOptions) {
    this.#o = options;
  }

  async onRequest({ request, respondWith }: InterceptedRequest): Promise<void> {
    const raw = rawRequest(request);
    const turn = this.#turn.then(async () => this.#answer(await raw, request.signal));
    this.#turn = turn.catch(() => undefined);
    const response = await turn;
    if (response) respondWith(response);
  }

  onResponse(): void {}

  /** Waits until the trace has every served response (parity only). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#feeding]);
  }

  async #answer(
    raw: Awaited<ReturnType<typeof rawRequest>>,
    signal: AbortSignal,
  ): Promise<Response | null> {
    const { route, steps } = requestSteps(raw, { correlation_id: 'live', offset_ms: 0 });
    const live = steps.at(-1);
    if (!route || live?.type !== 'model.request') {
      return this.#o.unhandled === 'passthrough' ? null : Response.error();
    }
    const result = this.#o.matcher.take({ ...this.#o.redactor.step(live), index: 0 });
    if (!result.ok) {
      const error = new ReplayDivergenceError(result.divergence);
      this.divergences.push(error);
      return Response.json(
        providerErrorBody(route.provider, {
          status: 400,
          type: 'invalid_request_error',
          code: 'replaykit_divergence',
          message: error.message,
        }),
        // SDKs must not retry: a divergence is not transient.
        { status: 400, headers: { 'x-should-retry': 'false', 'x-replaykit-error': 'divergence' } },
      );
    }
    this.served++;
    const exchange = result.exchange;
    const recorded = exchange.response;
    const capture = this.#o.trace?.begin(raw) ?? null;
    // No recorded response: the request failed at record time (e.g. connection refused).
    if (!recorded) {
      if (capture) feedFailure(capture, exchange);
      return Response.error();
    }
    const options = { replaySpeed: this.#o.replaySpeed, signal, ...serveOptionsOf(exchange) };
    const response = toResponse(recorded, options);
    if (!capture) return response;
    // The client reads one branch at its own pace; the trace reads the other.
    const [client, copy] = response.body ? response.body.tee() : [null, null];
    const task = feedResponse(capture, recorded, copy).finally(() => this.#feeding.delete(task));
    this.#feeding.add(task);
    return new Response(client, { status: response.status, headers: response.headers });
  }
}
