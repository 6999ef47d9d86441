/**
 * Offline self-replay: every recorded request is re-issued, in recorded order, through the stub
 * engine (the matcher picks the answer, `toResponse` serves it as the client would read it, and
 * the shared capture pipeline turns it back into steps). No network, no interceptor: the same
 * engine the in-process replayer and the listener use, driven directly. This is how artifacts
 * captured passively (WebSocket turns, agent runs) are gated.
 */
import type { ModelRequest, Step } from '../cassette/schema.ts';
import { CapturePipeline } from '../pipeline/capture.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import { encodeBody, normalizeRequest, requestSteps } from '../providers/index.ts';
import type { DivergenceDetails } from './divergence.ts';
import { feedFailure, feedResponse, serveOptionsOf } from './feed.ts';
import { ReplayMatcher } from './matcher.ts';
import { toResponse } from './serve.ts';
import { createMemorySink, keepAsRecorded } from './trace.ts';

export interface SelfReplay {
  /** The steps the replay produced, in the order the pipeline wrote them. */
  steps: Step[];
  /** Exchanges served. */
  served: number;
  /** Requests the engine could not answer (none for an intact cassette). */
  divergences: DivergenceDetails[];
}

/** The request as the client sent it, rebuilt from its step (bodies are stored readable). */
export function rawOf(step: ModelRequest): RawRequest {
  return {
    method: step.method,
    url: step.url,
    headers: step.headers,
    body: encodeBody(step),
    transport: step.transport,
  };
}

export async function selfReplay(cassette: string, steps: Step[]): Promise<SelfReplay> {
  const matcher = new ReplayMatcher(cassette, steps, normalizeRequest);
  const sink = createMemorySink();
  const pipeline = new CapturePipeline({ sink, redactor: keepAsRecorded, clock: () => 0 });
  const divergences: DivergenceDetails[] = [];
  let served = 0;
  for (const recorded of matcher.exchanges) {
    const raw = rawOf(recorded.request);
    const { route, steps: live } = requestSteps(raw, { correlation_id: 'live', offset_ms: 0 });
    const request = live.at(-1);
    if (!route || request?.type !== 'model.request') {
      divergences.push({
        kind: 'unexpected',
        cassette,
        exchange: recorded.index,
        provider: recorded.request.provider,
        endpoint: recorded.request.endpoint,
        live: { method: raw.method, url: raw.url, compared: null },
      });
      continue;
    }
    const result = matcher.take({ ...request, index: 0 });
    if (!result.ok) {
      divergences.push(result.divergence);
      continue;
    }
    served++;
    const capture = pipeline.begin(raw);
    if (!capture) continue;
    const exchange = result.exchange;
    if (!exchange.response) {
      feedFailure(capture, exchange);
      continue;
    }
    // A WebSocket turn is served as frames (feedResponse), never as an HTTP body.
    const ws = exchange.response.stream?.format === 'websocket';
    const body = ws ? null : toResponse(exchange.response, serveOptionsOf(exchange)).body;
    await feedResponse(capture, exchange.response, body);
  }
  return { steps: sink.steps, served, divergences };
}
