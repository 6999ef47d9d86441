/**
 * Azure OpenAI: the deployment paths (`/openai/deployments/{d}/chat/completions?api-version=…`,
 * the deployment names the model) and the v1 paths (`/openai/v1/responses`). `/openai/v1/` is
 * also Groq's base path, so a request there is Azure's only with Azure's signs: the `api-key`
 * header or an `api-version` query parameter.
 */
import type { RouteInfo, RouteRequest, UrlParts } from '../module.ts';
import { headerOf, isRecord } from '../util.ts';

export const ROUTES = [
  'POST /openai/deployments/{deployment}/chat/completions?api-version=…',
  'POST /openai/deployments/{deployment}/embeddings?api-version=…',
  'POST /openai/deployments/{deployment}/responses?api-version=…',
  'POST /openai/v1/chat/completions',
  'POST /openai/v1/responses',
  'POST /openai/v1/embeddings',
];

const POSTS: Record<string, { endpoint: string; streams: boolean }> = {
  '/chat/completions': { endpoint: 'chat.completions', streams: true },
  '/responses': { endpoint: 'responses', streams: true },
  '/embeddings': { endpoint: 'embeddings', streams: false },
};

const DEPLOYMENT = /^\/openai\/deployments\/([^/]+)(\/.*)$/;

export function looksAzure(headers: Record<string, string>, query: UrlParts['query']): boolean {
  return (
    headerOf(headers, 'api-key') !== undefined || query.some(([name]) => name === 'api-version')
  );
}

export function detectAzure(req: RouteRequest, { path, query }: UrlParts): RouteInfo | null {
  if (req.method.toUpperCase() !== 'POST' || !path.startsWith('/openai/')) return null;
  const deployment = DEPLOYMENT.exec(path);
  let rest: string;
  if (deployment) rest = deployment[2]!;
  else if (!looksAzure(req.headers, query)) return null;
  else rest = path.replace(/^\/openai(?:\/v1)?(?=\/)/, '');
  const post = POSTS[rest];
  if (!post) return null;
  const fields = isRecord(req.body) ? req.body : {};
  const stream = post.streams && fields.stream === true;
  const bodyModel = typeof fields.model === 'string' ? fields.model : null;
  return {
    provider: 'azure',
    endpoint: post.endpoint,
    // A deployment path names the deployment, which is what the request runs on.
    model: deployment ? decodeURIComponent(deployment[1]!) : bodyModel,
    stream,
    streamFormat: stream ? 'sse' : null,
  };
}
