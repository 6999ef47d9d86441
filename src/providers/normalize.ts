/**
 * Normalised forms. `normalizeRequest` is what replay matching compares; `normalizeStep` is the
 * step as the canonical hash sees it. Both remove only what differs between two runs of the same
 * conversation (volatile.ts, agents.ts) and keep everything a user could change on purpose.
 */
import stableStringify from 'fast-json-stable-stringify';
import type { ModelRequest, Step } from '../cassette/schema.ts';
import { detectAgent } from './agents.ts';
import { boundaryOf } from './multipart.ts';
import { splitUrl } from './registry.ts';
import { headerOf } from './util.ts';
import {
  normalizeHeaders,
  REQUEST_PATHS,
  RESPONSE_PATHS,
  replacePaths,
  stableReplaced,
  VOLATILE,
} from './volatile.ts';

/** Query parameters that carry credentials (Gemini accepts `?key=`); never compared. */
const SECRET_QUERY = new Set(['key', 'api_key', 'apikey', 'access_token', 'token']);

function normalizeRequestBody(step: Pick<ModelRequest, 'headers' | 'body'>): unknown {
  if (step.body === undefined) return undefined;
  const agent = detectAgent(step);
  const body = replacePaths(step.body, REQUEST_PATHS);
  return agent ? agent.body(body, step) : body;
}

function pathAndQuery(url: string): { path: string; query: Record<string, string> } {
  try {
    const { path, query } = splitUrl(url);
    const kept = query
      .filter(([k]) => !SECRET_QUERY.has(k.toLowerCase()))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { path, query: Object.fromEntries(kept) };
  } catch {
    return { path: url, query: {} };
  }
}

/**
 * What matching compares: method, route, path and query without secrets, and the body minus
 * volatile fields. No headers: they are transport noise (SDK versions, retry counts, ids).
 */
export function normalizeRequest(step: ModelRequest): unknown {
  return compared(step, normalizeRequestBody(step));
}

/**
 * `stableStringify(normalizeRequest(step))`, what the matcher keys requests by, without the
 * normalised copy of the body: replay computes it for every recorded and every live request.
 * Agent requests (rare) take the long way.
 */
normalizeRequest.fingerprint = function requestFingerprint(step: ModelRequest): string {
  if (step.body === undefined || detectAgent(step)) return stableStringify(normalizeRequest(step));
  const view = compared(step, undefined);
  let out = '';
  for (const key of VIEW_KEYS) {
    const value = view[key];
    const text =
      key === 'body'
        ? stableReplaced(step.body, REQUEST_PATHS)
        : typeof value === 'object' && value !== null
          ? stableStringify(value)
          : JSON.stringify(value);
    if (text !== undefined) out += `${out ? ',' : ''}"${key}":${text}`;
  }
  return `{${out}}`;
};

type View = ReturnType<typeof compared>;
/** The view's keys in stableStringify's order (sorted); fields left undefined are left out. */
const VIEW_KEYS: readonly (keyof View)[] = [
  'body',
  'body_base64',
  'body_multipart',
  'body_text',
  'endpoint',
  'method',
  'model',
  'path',
  'provider',
  'query',
  'stream',
  'transport',
];

/**
 * A multipart boundary is random per request: compared without it (the parts alone), and cut
 * out of a multipart body that had to be stored whole.
 */
function withoutBoundary(step: ModelRequest): Pick<ModelRequest, 'body_text' | 'body_base64'> {
  const { body_text, body_base64 } = step;
  // Checked first: replay fingerprints every request, and most carry a JSON `body`.
  if (body_text === undefined && body_base64 === undefined) return { body_text, body_base64 };
  const boundary = boundaryOf(headerOf(step.headers, 'content-type'));
  if (!boundary) return { body_text, body_base64 };
  // The delimiter lines, not every occurrence of a (possibly short) boundary string.
  const delimiter = `--${boundary}`;
  if (body_text !== undefined) return { body_text: body_text.split(delimiter).join(VOLATILE) };
  const bytes = Buffer.from(body_base64 ?? '', 'base64');
  const cut: Buffer[] = [];
  const mark = Buffer.from(delimiter);
  let at = 0;
  for (let i = bytes.indexOf(mark); i >= 0; i = bytes.indexOf(mark, at)) {
    cut.push(bytes.subarray(at, i), Buffer.from(VOLATILE));
    at = i + mark.length;
  }
  cut.push(bytes.subarray(at));
  return { body_text, body_base64: Buffer.concat(cut).toString('base64') };
}

function compared(step: ModelRequest, body: unknown) {
  const { path, query } = pathAndQuery(step.url);
  return {
    method: step.method.toUpperCase(),
    provider: step.provider,
    endpoint: step.endpoint,
    transport: step.transport,
    path,
    query,
    model: step.model ?? null,
    stream: step.stream,
    body,
    ...withoutBoundary(step),
    body_multipart: step.body_multipart?.parts,
  };
}

/** The step as the canonical hash sees it: same shape (it still validates), volatile values replaced. */
export function normalizeStep(step: Step): Step {
  const request_id = step.request_id == null ? step.request_id : VOLATILE;
  // Timing is kept for pacing and debugging, never hashed.
  step = { ...step, offset_ms: 0 };
  switch (step.type) {
    case 'model.request': {
      const agent = detectAgent(step);
      // Where the request went differs between runs (ports, hosts); the route and path do not.
      const { origin: _origin, ...rest } = step;
      const boundary = boundaryOf(headerOf(step.headers, 'content-type'));
      const out: Step = {
        ...rest,
        request_id,
        url: (() => {
          const { path, query } = pathAndQuery(step.url);
          const qs = new URLSearchParams(query).toString();
          return qs ? `${path}?${qs}` : path;
        })(),
        headers: normalizeHeaders(step.headers, agent?.header),
        ...(boundary ? withoutBoundary(step) : {}),
      };
      if (boundary) {
        out.headers['content-type'] = out.headers['content-type']!.replace(
          /(;\s*boundary=)(?:"[^"]*"|[^;\s]+)/i,
          `$1${VOLATILE}`,
        );
      }
      if (step.body_multipart) out.body_multipart = { ...step.body_multipart, boundary: VOLATILE };
      if (step.body !== undefined) out.body = normalizeRequestBody(step);
      return out;
    }
    case 'model.response': {
      const out: Step = { ...step, request_id, headers: normalizeHeaders(step.headers) };
      if (step.body !== undefined) out.body = replacePaths(step.body, RESPONSE_PATHS);
      if (step.stream) {
        out.stream = {
          ...step.stream,
          events: step.stream.events.map((ev) => ({
            ...ev,
            offset_ms: 0,
            data: replacePaths(ev.data, RESPONSE_PATHS),
          })),
        };
      }
      if (step.assembled?.response_id) out.assembled = { ...step.assembled, response_id: VOLATILE };
      return out;
    }
    default:
      return { ...step, request_id };
  }
}
