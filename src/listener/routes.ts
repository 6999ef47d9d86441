/**
 * Which provider a request is for, from the route matrix in docs/CONTRACT.md. A small table of its
 * own so the gateway can forward before providers/ lands; when `detectRoute` exists this is the
 * one function to swap.
 */
import type { UpstreamProvider } from './options.ts';

export interface GatewayRoute {
  provider: UpstreamProvider;
  endpoint: string;
}

interface RouteRule {
  provider: UpstreamProvider;
  endpoint: string;
  methods: string[];
  /** Matched against the path with the provider's version prefix removed. */
  pattern: RegExp;
}

const OPENAI: RouteRule[] = [
  { provider: 'openai', endpoint: 'responses', methods: ['POST'], pattern: /^\/responses$/ },
  {
    provider: 'openai',
    endpoint: 'responses.compact',
    methods: ['POST'],
    pattern: /^\/responses\/compact$/,
  },
  {
    provider: 'openai',
    endpoint: 'chat.completions',
    methods: ['POST'],
    pattern: /^\/chat\/completions$/,
  },
  { provider: 'openai', endpoint: 'embeddings', methods: ['POST'], pattern: /^\/embeddings$/ },
  { provider: 'openai', endpoint: 'models', methods: ['GET'], pattern: /^\/models(\/[^/]+)?$/ },
];

const ANTHROPIC: RouteRule[] = [
  { provider: 'anthropic', endpoint: 'messages', methods: ['POST'], pattern: /^\/messages$/ },
  {
    provider: 'anthropic',
    endpoint: 'messages.count_tokens',
    methods: ['POST'],
    pattern: /^\/messages\/count_tokens$/,
  },
  {
    provider: 'anthropic',
    endpoint: 'models',
    methods: ['GET'],
    pattern: /^\/models(\/[^/]+)?$/,
  },
];

const GEMINI_ENDPOINTS = [
  'generateContent',
  'streamGenerateContent',
  'countTokens',
  'embedContent',
];

/** Human-readable list for unsupported-route errors. */
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

export function matchRoute(
  method: string,
  url: string,
  headers: Record<string, string | string[] | undefined>,
): GatewayRoute | null {
  const path = (url.split('?')[0] ?? '/').replace(/\/+$/, '') || '/';
  if (path === '/' && (method === 'HEAD' || method === 'GET')) {
    return { provider: 'anthropic', endpoint: 'probe' };
  }
  const gemini = /^\/(?:v1beta|v1)\/models\/[^/:]+:([A-Za-z]+)$/.exec(path);
  if (gemini && method === 'POST' && GEMINI_ENDPOINTS.includes(gemini[1] ?? '')) {
    return { provider: 'gemini', endpoint: gemini[1] as string };
  }
  const rest = path.startsWith('/v1/') ? path.slice(3) : path;
  const anthropic = looksAnthropic(headers);
  const rules = anthropic ? [...ANTHROPIC, ...OPENAI] : [...OPENAI, ...ANTHROPIC];
  for (const rule of rules) {
    if (!rule.methods.includes(method) || !rule.pattern.test(rest)) continue;
    // Anthropic routes only exist under /v1; without it the request is OpenAI's unprefixed form.
    if (rule.provider === 'anthropic' && rest === path) continue;
    return { provider: rule.provider, endpoint: rule.endpoint };
  }
  return null;
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
