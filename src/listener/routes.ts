/**
 * Which provider a request is for (the route matrix in docs/CONTRACT.md, owned by providers/),
 * which error shape a client expects, and the path to request upstream.
 */
import { detectRoute } from '../providers/index.ts';
import type { UpstreamProvider } from './options.ts';

export interface GatewayRoute {
  provider: UpstreamProvider;
  endpoint: string;
}

const GEMINI_ENDPOINTS = [
  'generateContent',
  'streamGenerateContent',
  'countTokens',
  'embedContent',
  'batchEmbedContents',
];

/** Human-readable list for unsupported-route errors (mirrors providers/routes.ts). */
export const SUPPORTED_ROUTES = [
  'POST /v1/responses (also WebSocket GET /v1/responses)',
  'POST /v1/responses/compact',
  'POST /v1/chat/completions',
  'POST /v1/embeddings',
  'GET /v1/models',
  'POST /v1/messages',
  'POST /v1/messages/count_tokens',
  'HEAD /',
  ...GEMINI_ENDPOINTS.map((e) => `POST /v1beta/models/{model}:${e}`),
];

/** Anthropic clients always send one of these; it also settles the ambiguous `GET /v1/models`. */
export function looksAnthropic(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['anthropic-version'] !== undefined || headers['x-api-key'] !== undefined;
}

/** The contract route for a request (providers/ decides), or null when we do not forward it. */
export function matchRoute(
  method: string,
  url: string,
  headers: Record<string, string | string[] | undefined>,
): GatewayRoute | null {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const route = detectRoute({ method, url, headers: flat });
  return route ? { provider: route.provider, endpoint: route.endpoint } : null;
}

/** The provider whose error shape a client expects, even for a route we do not know. */
export function errorShapeFor(
  url: string,
  headers: Record<string, string | string[] | undefined>,
): UpstreamProvider {
  if (looksAnthropic(headers)) return 'anthropic';
  if (url.startsWith('/v1beta') || headers['x-goog-api-key'] !== undefined) return 'gemini';
  return 'openai';
}

/**
 * The path to request upstream. OpenAI routes are accepted without `/v1` (a base URL set without
 * it) and always forwarded with it; everything else is forwarded as received.
 */
export function upstreamPath(route: GatewayRoute | null, url: string): string {
  if (route?.provider === 'openai' && !url.startsWith('/v1/')) return `/v1${url}`;
  return url;
}
