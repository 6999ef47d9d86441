/**
 * OpenAI routes. Clients may be configured with or without the `/v1` suffix on their base URL, so
 * both are accepted (and the listener forwards with it).
 */
import type { RouteInfo, RouteRequest, UrlParts } from '../module.ts';
import { headerOf, jsonRoute, v1Rest } from '../util.ts';

export const ROUTES = [
  'POST /v1/responses (also WebSocket GET /v1/responses)',
  'POST /v1/responses/compact',
  'POST /v1/chat/completions',
  'POST /v1/embeddings',
  'GET /v1/models',
];

const POSTS: Record<string, { endpoint: string; streams: boolean }> = {
  '/responses': { endpoint: 'responses', streams: true },
  '/responses/compact': { endpoint: 'responses.compact', streams: false },
  '/chat/completions': { endpoint: 'chat.completions', streams: true },
  '/embeddings': { endpoint: 'embeddings', streams: false },
};

export function detectOpenAI(req: RouteRequest, { path }: UrlParts): RouteInfo | null {
  const rest = v1Rest(path);
  if (rest === null) return null;
  const method = req.method.toUpperCase();
  if (method === 'GET') {
    const upgrade = headerOf(req.headers, 'upgrade')?.toLowerCase();
    if (rest === '/responses' && upgrade === 'websocket') {
      return {
        provider: 'openai',
        endpoint: 'responses',
        model: null,
        stream: true,
        streamFormat: 'websocket',
      };
    }
    // Listed after Anthropic in the registry: a `GET /v1/models` with Anthropic's headers is theirs.
    const match = /^\/models(?:\/(.+))?$/.exec(rest);
    if (!match) return null;
    const id = match[1] === undefined ? null : decodeURIComponent(match[1]);
    return { provider: 'openai', endpoint: 'models', model: id, stream: false, streamFormat: null };
  }
  const post = method === 'POST' ? POSTS[rest] : undefined;
  return post ? jsonRoute('openai', post.endpoint, req.body, post.streams) : null;
}
