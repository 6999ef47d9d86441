/**
 * A live request as the replay engine compares it: the provider module's `model.request` step,
 * redacted (and minimised) exactly as it was at record time, so a recorded request and its live
 * twin normalise to the same view. Shared by the in-process replayer and the listener's replay
 * mode, together with the provider-shaped answer to a miss.
 */
import type { ModelRequest } from '../cassette/schema.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import { detectAgent } from '../providers/agents.ts';
import { opaqueRoute, type ProviderHosts } from '../providers/opaque.ts';
import { providerErrorBody } from '../providers/registry.ts';
import { requestStep } from '../providers/steps.ts';
import type { RouteInfo } from '../providers/types.ts';
import type { Redactor } from '../redaction/index.ts';
import { rememberLiveSource } from './blob-lines.ts';
import type { ReplayDivergenceError } from './divergence.ts';

export interface LiveRequest {
  route: RouteInfo;
  request: ModelRequest;
}

/**
 * `null` when the request is not provider traffic: no contract route and, given `hosts`, not an
 * opaque exchange either (providers/opaque.ts).
 */
export function liveRequest(
  raw: RawRequest,
  redactor: Redactor,
  hosts?: ProviderHosts,
): LiveRequest | null {
  // The request step alone: replay compares requests, never the tool results they carry.
  const ctx = { correlation_id: 'live', offset_ms: 0 };
  let { route, request } = requestStep(raw, ctx);
  if (route) hosts?.learn(raw.origin, route.provider);
  else {
    const provider = hosts?.providerOf(raw);
    if (!provider) return null;
    ({ route, request } = requestStep(raw, ctx, opaqueRoute(provider, request)));
    if (!route) return null;
  }
  return { route, request: redactLive(redactor, request) };
}

/**
 * The live request as the cassette would hold it (redacted, minimised), remembering its
 * unminimised text for a divergence report to quote (blob-lines.ts).
 */
export function redactLive(redactor: Redactor, request: Omit<ModelRequest, 'index'>): ModelRequest {
  const out: ModelRequest = { ...redactor.step(request), index: 0 };
  rememberLiveSource(out, () => {
    const body = redactor.value(request.body);
    const normalizeText = detectAgent(request)?.text({ headers: request.headers, body });
    return { body, ...(normalizeText ? { normalizeText } : {}) };
  });
  return out;
}

export interface DivergenceAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** What the client of a diverging request gets: the report in the provider's error shape. */
export function divergenceAnswer(
  provider: RouteInfo['provider'],
  error: ReplayDivergenceError,
): DivergenceAnswer {
  return {
    status: 400,
    // SDKs must not retry: a divergence is not transient.
    headers: {
      'content-type': 'application/json',
      'x-should-retry': 'false',
      'x-replaykit-error': 'divergence',
    },
    body: providerErrorBody(provider, {
      status: 400,
      type: 'invalid_request_error',
      code: 'replaykit_divergence',
      message: error.message,
    }),
  };
}
