/**
 * OpenAI-compatible servers (vLLM, LM Studio, Ollama's `/v1`, OpenRouter, Groq, DeepSeek,
 * Mistral, xAI, Together): OpenAI's Chat Completions, Responses, embeddings and models under the
 * server's base URL. Which server is decided by the base URL (servers.ts), and its name is kept
 * in the steps (`provider_name`). Through the listener, a client's base URL is
 * `{listener}/compat/{NAME}` and the path after it may repeat the server's own base path.
 */
import type { RouteInfo, RouteRequest, UrlParts } from '../module.ts';
import { isRecord } from '../util.ts';
import { serverFor } from './servers.ts';

export const ROUTES = [
  '{base URL}/chat/completions (POST)',
  '{base URL}/completions (POST)',
  '{base URL}/responses (POST)',
  '{base URL}/embeddings (POST)',
  '{base URL}/models (GET)',
  'listener: /compat/{NAME}/... (--upstream compat:NAME=URL)',
];

const POSTS: Record<string, { endpoint: string; streams: boolean }> = {
  '/chat/completions': { endpoint: 'chat.completions', streams: true },
  '/completions': { endpoint: 'completions', streams: true },
  '/responses': { endpoint: 'responses', streams: true },
  '/embeddings': { endpoint: 'embeddings', streams: false },
};

export const LISTENER_PATH = /^\/compat\/([a-z0-9][a-z0-9._-]*)(\/.*)?$/i;
/** Base paths a client may repeat after `/compat/NAME` (its SDK's own, such as Groq's). */
const PREFIX = /^(?:\/openai\/v1|\/api\/v1|\/v1)(?=\/)/;

/** The path after `/compat/NAME` and the client's own base path: joined to the server's base URL. */
export function compatUpstreamPath(url: string): string {
  const [path = '/', query] = url.split(/\?(.*)/s);
  const listener = LISTENER_PATH.exec(path);
  if (!listener) return url;
  const rest = (listener[2] ?? '/').replace(PREFIX, '');
  return query === undefined ? rest : `${rest}?${query}`;
}

export function detectCompatible(req: RouteRequest, { path }: UrlParts): RouteInfo | null {
  let name: string;
  let rest: string;
  const listener = LISTENER_PATH.exec(path);
  if (listener) {
    name = listener[1]!.toLowerCase();
    rest = (listener[2] ?? '/').replace(PREFIX, '');
  } else {
    const found = req.origin ? serverFor(req.origin, path) : null;
    if (!found) return null;
    name = found.server.name;
    rest = found.rest;
  }
  const method = req.method.toUpperCase();
  const fields = isRecord(req.body) ? req.body : {};
  const model = typeof fields.model === 'string' ? fields.model : null;
  const base = { provider: 'openai-compatible' as const, providerName: name };
  if (method === 'GET') {
    const models = /^\/models(?:\/(.+))?$/.exec(rest);
    if (!models) return null;
    const id = models[1] === undefined ? null : decodeURIComponent(models[1]);
    return { ...base, endpoint: 'models', model: id, stream: false, streamFormat: null };
  }
  const post = method === 'POST' ? POSTS[rest] : undefined;
  if (!post) return null;
  const stream = post.streams && fields.stream === true;
  return { ...base, endpoint: post.endpoint, model, stream, streamFormat: stream ? 'sse' : null };
}
