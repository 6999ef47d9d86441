/**
 * Route detection: which provider, endpoint, model and stream shape a request belongs to. The
 * same table serves the recorder, the listener and the replay index, so a request is named the
 * same way whichever door it came through.
 */
import type { RouteInfo } from './types.ts';
import { headerOf, isRecord } from './util.ts';

export interface RouteRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

const GEMINI_PATH = /^\/(?:v1beta|v1|v1alpha)\/(?:models|tunedModels)\/([^/:]+):([A-Za-z]+)$/;
const GEMINI_ENDPOINTS = new Set([
  'generateContent',
  'streamGenerateContent',
  'countTokens',
  'embedContent',
  'batchEmbedContents',
]);

export interface UrlParts {
  path: string;
  /** Query parameters in order, repeats kept (as URLSearchParams lists them). */
  query: readonly (readonly [string, string])[];
}

/**
 * Split URLs by the text they came as. Every replayed request is split twice (its route, its
 * normalised view) and a client sends the same few URLs over and over, so each is parsed once.
 * Bounded: a process that sees many distinct URLs starts over rather than growing.
 */
const splits = new Map<string, UrlParts>();
const MAX_SPLITS = 512;

/** The path (trailing slashes dropped) and query of a URL or path; shared, do not modify. */
export function splitUrl(url: string): UrlParts {
  const known = splits.get(url);
  if (known) return known;
  const parsed = new URL(url, 'http://replaykit.invalid');
  const path = parsed.pathname.length > 1 ? parsed.pathname.replace(/\/+$/, '') : '/';
  const query = Object.freeze([...parsed.searchParams].map((pair) => Object.freeze(pair)));
  const parts = Object.freeze({ path, query });
  if (splits.size >= MAX_SPLITS) splits.clear();
  splits.set(url, parts);
  return parts;
}

function bodyField(body: unknown, key: string): unknown {
  return isRecord(body) ? body[key] : undefined;
}

function modelOf(body: unknown): string | null {
  const model = bodyField(body, 'model');
  return typeof model === 'string' ? model : null;
}

function jsonRoute(
  provider: RouteInfo['provider'],
  endpoint: string,
  body: unknown,
  streams: boolean,
): RouteInfo {
  const stream = streams && bodyField(body, 'stream') === true;
  return { provider, endpoint, model: modelOf(body), stream, streamFormat: stream ? 'sse' : null };
}

/** `GET /v1/models` is shared: Anthropic clients always send `anthropic-version` or `x-api-key`. */
function looksAnthropic(headers: Record<string, string>): boolean {
  return (
    headerOf(headers, 'anthropic-version') !== undefined ||
    headerOf(headers, 'x-api-key') !== undefined
  );
}

function modelsRoute(rest: string, headers: Record<string, string>): RouteInfo | null {
  const match = /^\/models(?:\/(.+))?$/.exec(rest);
  if (!match) return null;
  const id = match[1] === undefined ? null : decodeURIComponent(match[1]);
  const provider = looksAnthropic(headers) ? 'anthropic' : 'openai';
  return { provider, endpoint: 'models', model: id, stream: false, streamFormat: null };
}

function geminiRoute(path: string, query: UrlParts['query'], body: unknown): RouteInfo | null {
  const match = GEMINI_PATH.exec(path);
  if (!match || !GEMINI_ENDPOINTS.has(match[2]!)) return null;
  const endpoint = match[2]!;
  const stream = endpoint === 'streamGenerateContent';
  // The first `alt`, as URLSearchParams.get reads it.
  const sse = query.find(([name]) => name === 'alt')?.[1] === 'sse';
  return {
    provider: 'gemini',
    endpoint,
    model: decodeURIComponent(match[1]!) || modelOf(body),
    stream,
    streamFormat: stream ? (sse ? 'sse' : 'json-array') : null,
  };
}

export function detectRoute(req: RouteRequest): RouteInfo | null {
  let split: ReturnType<typeof splitUrl>;
  try {
    split = splitUrl(req.url);
  } catch {
    return null;
  }
  const { path, query } = split;
  const method = req.method.toUpperCase();
  const { headers, body } = req;

  if (method === 'HEAD' && path === '/') {
    return {
      provider: 'anthropic',
      endpoint: 'probe',
      model: null,
      stream: false,
      streamFormat: null,
    };
  }
  // Only POSTs are Gemini here: `GET /v1/models/ft:...` is an OpenAI fine-tuned model id.
  if (method === 'POST' && GEMINI_PATH.test(path)) return geminiRoute(path, query, body);
  if (path.startsWith('/v1beta/') || path.startsWith('/v1alpha/')) return null;
  // OpenAI clients may be configured with or without the `/v1` suffix on their base URL.
  const rest = path.startsWith('/v1/') ? path.slice(3) : path;
  if (method === 'GET') {
    const upgrade = headerOf(headers, 'upgrade')?.toLowerCase();
    if (rest === '/responses' && upgrade === 'websocket') {
      return {
        provider: 'openai',
        endpoint: 'responses',
        model: null,
        stream: true,
        streamFormat: 'websocket',
      };
    }
    return modelsRoute(rest, headers);
  }
  if (method !== 'POST') return null;
  switch (rest) {
    case '/responses':
      return jsonRoute('openai', 'responses', body, true);
    case '/responses/compact':
      return jsonRoute('openai', 'responses.compact', body, false);
    case '/chat/completions':
      return jsonRoute('openai', 'chat.completions', body, true);
    case '/embeddings':
      return jsonRoute('openai', 'embeddings', body, false);
    case '/messages':
      return jsonRoute('anthropic', 'messages', body, true);
    case '/messages/count_tokens':
      return jsonRoute('anthropic', 'messages.count_tokens', body, false);
    default:
      return null;
  }
}

/**
 * The provider's id for one exchange: a response header for OpenAI and Anthropic (Anthropic
 * error bodies repeat it as `request_id`), the body's `responseId` for Gemini (it sends no header).
 */
export function requestIdOf(
  route: RouteInfo,
  headers: Record<string, string>,
  body?: unknown,
): string | null {
  if (route.provider === 'openai') return headerOf(headers, 'x-request-id') ?? null;
  if (route.provider === 'anthropic') {
    const fromBody = bodyField(body, 'request_id');
    return headerOf(headers, 'request-id') ?? (typeof fromBody === 'string' ? fromBody : null);
  }
  const first = Array.isArray(body) ? body[0] : body;
  const id = bodyField(first, 'responseId');
  return typeof id === 'string' ? id : (headerOf(headers, 'x-request-id') ?? null);
}
