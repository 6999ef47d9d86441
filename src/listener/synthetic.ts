/**
 * Synthetic responses: deterministic, provider-shaped answers the listener makes up when no
 * provider may or can be called (`--mode synthetic`, or a `synthetic_allowed` fallback). Each
 * provider module builds its own (`synthetic`); they are loud by design: the text says what it
 * is, every response carries `x-replaykit-response-source: synthetic`, and every recorded step
 * `response_source: synthetic`. The same request always gets the same bytes (ids derive from a
 * hash of the request body).
 */
import { createHash } from 'node:crypto';
import type { ModelResponse } from '../cassette/schema.ts';
import { providerModule, type RouteInfo } from '../providers/index.ts';
import { SOURCE_HEADER, SYNTHETIC_TEXT } from '../providers/synthetic.ts';

export { SOURCE_HEADER, SYNTHETIC_TEXT };
export const SYNTHETIC_WARNING =
  'mode synthetic: every response is made up by the listener (marked response_source: synthetic); no provider is called.';

/** The response for one request, or null for a route synthetic mode cannot answer. */
export function syntheticResponse(
  route: RouteInfo,
  body: Record<string, unknown> | undefined,
  rawBody: Uint8Array | null,
): ModelResponse | null {
  const id = createHash('sha256')
    .update(rawBody ?? '')
    .digest('hex')
    .slice(0, 16);
  const model = route.model ?? (typeof body?.model === 'string' ? body.model : 'synthetic');
  const inputTokens = Math.ceil((rawBody?.byteLength ?? 0) / 4);
  const outputTokens = Math.ceil(SYNTHETIC_TEXT.length / 4);
  const module = providerModule(route.provider);
  return module?.synthetic({ route, body, id, model, inputTokens, outputTokens }) ?? null;
}
