/** Anthropic routes: Messages, token counting, models, and the `HEAD /` reachability probe. */
import type { RouteInfo, RouteRequest, UrlParts } from '../module.ts';
import { headerOf, jsonRoute, v1Rest } from '../util.ts';

export const ROUTES = [
  'POST /v1/messages',
  'POST /v1/messages/count_tokens',
  'GET /v1/models',
  'HEAD /',
];

/** Anthropic clients always send one of these; it also settles the shared `GET /v1/models`. */
export function looksAnthropic(headers: Record<string, string>): boolean {
  return (
    headerOf(headers, 'anthropic-version') !== undefined ||
    headerOf(headers, 'x-api-key') !== undefined
  );
}

export function detectAnthropic(req: RouteRequest, { path }: UrlParts): RouteInfo | null {
  const method = req.method.toUpperCase();
  const route = (endpoint: string, model: string | null = null): RouteInfo => ({
    provider: 'anthropic',
    endpoint,
    model,
    stream: false,
    streamFormat: null,
  });
  if (method === 'HEAD' && path === '/') return route('probe');
  const rest = v1Rest(path);
  if (rest === null) return null;
  if (method === 'GET') {
    const match = looksAnthropic(req.headers) ? /^\/models(?:\/(.+))?$/.exec(rest) : null;
    if (!match) return null;
    return route('models', match[1] === undefined ? null : decodeURIComponent(match[1]));
  }
  if (method !== 'POST') return null;
  if (rest === '/messages') return jsonRoute('anthropic', 'messages', req.body, true);
  if (rest === '/messages/count_tokens') {
    return jsonRoute('anthropic', 'messages.count_tokens', req.body, false);
  }
  return null;
}
