/** Ollama's native API: `/api/chat`, `/api/generate` (NDJSON streams by default), embeddings, tags. */
import type { RouteInfo, RouteRequest, UrlParts } from '../module.ts';
import { isRecord } from '../util.ts';

export const ROUTES = [
  'POST /api/chat',
  'POST /api/generate',
  'POST /api/embed',
  'POST /api/embeddings',
  'POST /api/show',
  'GET /api/tags',
];

/** Routes that answer with model output; they stream unless the body says `stream: false`. */
const GENERATES = new Set(['chat', 'generate']);
const POSTS = new Set(['chat', 'generate', 'embed', 'embeddings', 'show']);

export function detectOllama(req: RouteRequest, { path }: UrlParts): RouteInfo | null {
  if (!path.startsWith('/api/')) return null;
  const endpoint = path.slice('/api/'.length);
  const method = req.method.toUpperCase();
  const fields = isRecord(req.body) ? req.body : {};
  const model = typeof fields.model === 'string' ? fields.model : null;
  if (method === 'GET' && endpoint === 'tags') {
    return { provider: 'ollama', endpoint, model: null, stream: false, streamFormat: null };
  }
  if (method !== 'POST' || !POSTS.has(endpoint)) return null;
  // Ollama streams when `stream` is absent: only an explicit false gives one JSON body.
  const stream = GENERATES.has(endpoint) && fields.stream !== false;
  return { provider: 'ollama', endpoint, model, stream, streamFormat: stream ? 'ndjson' : null };
}
