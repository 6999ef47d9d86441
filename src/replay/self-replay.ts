/**
 * Offline self-replay: every recorded request is re-issued, in recorded order, through the stub
 * engine (the matcher picks the answer, `toResponse` serves it as the client would read it, and
 * the shared capture pipeline turns it back into steps). No network, no interceptor: the same
 * engine the in-process replayer and the listener use, driven directly. This is how artifacts
 * captured passively (WebSocket turns, agent runs) are gated.
 */
import type { ModelRequest, ModelResponse, Step } from '../cassette/schema.ts';
import { CapturePipeline } from '../pipeline/capture.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import {
  decodedOf,
  encodeBody,
  isOpaque,
  OPAQUE,
  type RouteInfo,
  requestSteps,
} from '../providers/index.ts';
import type { DivergenceDetails } from './divergence.ts';
import { feedFailure, feedResponse, serveOptionsOf } from './feed.ts';
import type { OpenedReplay } from './open.ts';
import { toResponse } from './serve.ts';
import { createMemorySink, keepAsRecorded } from './trace.ts';

export interface SelfReplay {
  /** The steps the replay produced, in the order the pipeline wrote them. */
  steps: Step[];
  /** Exchanges served. */
  served: number;
  /** Which recorded exchange served each replayed one (correlation ids: replayed → recorded). */
  served_by: Map<string, string>;
  /** Requests the engine could not answer (none for an intact cassette). */
  divergences: DivergenceDetails[];
}

/** The request as the client sent it, rebuilt from its step (bodies are stored readable). */
export function rawOf(step: ModelRequest): RawRequest {
  return {
    method: step.method,
    url: step.url,
    ...(step.origin ? { origin: step.origin } : {}),
    headers: step.headers,
    body: encodeBody(step),
    transport: step.transport,
  };
}

/**
 * `held`: what the replayed steps are kept as (a large cassette's trace keeps long strings as
 * digests, so memory does not grow with the file: trace.ts `compactStep`).
 */
export async function selfReplay(
  opened: OpenedReplay,
  held?: (step: Step) => Step,
): Promise<SelfReplay> {
  const { matcher, name: cassette } = opened;
  const sink = createMemorySink(held);
  const pipeline = new CapturePipeline({ sink, redactor: keepAsRecorded, clock: () => 0 });
  const divergences: DivergenceDetails[] = [];
  /** Replayed exchanges whose recorded stream was never closed (see `unassembled` below). */
  const unclosed = new Map<string, ModelResponse>();
  const servedBy = new Map<string, string>();
  let served = 0;
  for (const recorded of matcher.exchanges) {
    const raw = rawOf(recorded.request);
    const known = recordedOpaque(recorded.request);
    const { route, steps: live } = requestSteps(
      raw,
      { correlation_id: 'live', offset_ms: 0 },
      known,
    );
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
    // Found and decoded once, above: the capture takes both as they are.
    const capture = pipeline.begin(raw, route, decodedOf(request));
    if (!capture) continue;
    const exchange = result.exchange;
    servedBy.set(capture.correlation_id, exchange.correlation_id);
    if (!exchange.response) {
      feedFailure(capture, exchange);
      continue;
    }
    const response = await opened.response(exchange.response);
    // A WebSocket turn is served as frames (feedResponse), never as an HTTP body.
    const ws = response.stream?.format === 'websocket';
    const body = ws ? null : toResponse(response, serveOptionsOf(exchange)).body;
    await feedResponse(capture, response, body);
    if (response.stream && !response.assembled) unclosed.set(capture.correlation_id, response);
  }
  return { steps: unassembled(sink.steps, unclosed), served, served_by: servedBy, divergences };
}

/**
 * An opaque exchange is provider traffic by where it went, not by its path: its route is the one
 * it was recorded under (providers/opaque.ts).
 */
function recordedOpaque(step: ModelRequest): RouteInfo | undefined {
  if (!isOpaque(step) || step.provider === 'unknown' || step.provider === 'mcp') return undefined;
  return {
    provider: step.provider,
    endpoint: OPAQUE,
    model: step.model ?? null,
    stream: false,
    streamFormat: null,
  };
}

/**
 * A stream the recorder never closed (the process was killed mid-stream) is kept by the reader
 * as an interrupted response with its events, but without what the recorder derives at the end:
 * the assembly, diagnostics and tool calls. Its replay is compared on what was written (status,
 * headers, events, state).
 */
function unassembled(steps: Step[], unclosed: Map<string, ModelResponse>): Step[] {
  if (unclosed.size === 0) return steps;
  return steps.flatMap((step) => {
    const recorded = unclosed.get(step.correlation_id);
    if (!recorded) return [step];
    if (step.type === 'tool.request') return [];
    if (step.type !== 'model.response') return [step];
    const { assembled: _a, diagnostics: _d, ...rest } = step;
    // The reader's own note about the missing close is the file's, carried over as it is.
    return [recorded.diagnostics ? { ...rest, diagnostics: recorded.diagnostics } : rest];
  });
}
