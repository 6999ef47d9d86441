/**
 * Volatile-field lists: values that differ on every run of the same conversation (ids, clocks,
 * random padding, signatures). They are kept in the cassette as received and replaced by
 * VOLATILE only in the normalised forms used for matching and for the canonical hash.
 * docs/CONTRACT.md mirrors these lists: keep both in step.
 */
import { isRecord } from './util.ts';

export const VOLATILE = '<volatile>';

/** JSON paths (`*` = any array index) in response bodies and stream event data. */
export const RESPONSE_PATHS: readonly string[] = [
  // OpenAI Responses (body, and the `response` object of lifecycle events)
  'id',
  'created_at',
  'completed_at',
  'output.*.id',
  'response.id',
  'response.created_at',
  'response.completed_at',
  'response.output.*.id',
  'item_id',
  'item.id',
  'obfuscation',
  // OpenAI Chat Completions (body and chunks)
  'created',
  'system_fingerprint',
  // Anthropic Messages
  'message.id',
  'content.*.signature',
  'content_block.signature',
  'delta.signature',
  // Gemini
  'responseId',
  'createTime',
  'candidates.*.content.parts.*.thoughtSignature',
];

/** Paths in request bodies: per-session keys, and opaque tokens the client echoes back. */
export const REQUEST_PATHS: readonly string[] = [
  'prompt_cache_key',
  'input.*.encrypted_content',
  'messages.*.content.*.signature',
  'contents.*.parts.*.thoughtSignature',
];

/** Header names (lower-case) whose values change per run or per machine. */
export const VOLATILE_HEADERS: readonly RegExp[] = [
  /^(authorization|x-api-key|x-goog-api-key|api-key|cookie|set-cookie)$/,
  /^(date|user-agent|host|connection|keep-alive|content-length|transfer-encoding|accept-encoding)$/,
  /^(x-request-id|request-id|x-client-request-id|idempotency-key|traceparent|tracestate)$/,
  /^x-stainless-/,
  /^(openai-processing-ms|openai-organization|openai-project|x-envoy-upstream-service-time)$/,
  /^(x-ratelimit-|anthropic-ratelimit-)/,
  /^(cf-ray|cf-cache-status|server-timing|alt-svc|server|x-goog-api-client|x-cloud-trace-context)$/,
];

function matches(path: string[], pattern: string[]): boolean {
  return path.length === pattern.length && pattern.every((p, i) => p === '*' || p === path[i]);
}

/** A copy of `value` with every present field at one of `paths` replaced by VOLATILE. */
export function replacePaths(value: unknown, paths: readonly string[]): unknown {
  const patterns = paths.map((p) => p.split('.'));
  const walk = (node: unknown, path: string[]): unknown => {
    if (Array.isArray(node)) return node.map((v) => walk(v, [...path, '*']));
    if (!isRecord(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const childPath = [...path, key];
      out[key] = patterns.some((p) => matches(childPath, p)) ? VOLATILE : walk(child, childPath);
    }
    return out;
  };
  return walk(value, []);
}

export function normalizeHeaders(
  headers: Record<string, string>,
  extra: (name: string, value: string) => string | undefined = () => undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    out[lower] = VOLATILE_HEADERS.some((re) => re.test(lower))
      ? VOLATILE
      : (extra(lower, value) ?? value);
  }
  return out;
}
