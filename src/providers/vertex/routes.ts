/**
 * Vertex AI Gemini: the Gemini API under a project and location,
 * `POST /{v1,v1beta1}/projects/{p}/locations/{l}/publishers/{publisher}/models/{m}:{method}`
 * (`@google/genai` with `vertexai: true`).
 */
import type { RouteInfo, RouteRequest, UrlParts } from '../module.ts';

const PATH =
  /^\/(?:v1|v1beta1)\/projects\/[^/]+\/locations\/[^/]+\/publishers\/[^/]+\/models\/([^/:]+):([A-Za-z]+)$/;
const ENDPOINTS = ['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent'];

export const ROUTES = ENDPOINTS.map(
  (e) => `POST /v1/projects/{project}/locations/{location}/publishers/google/models/{model}:${e}`,
);

export function detectVertex(req: RouteRequest, { path, query }: UrlParts): RouteInfo | null {
  if (req.method.toUpperCase() !== 'POST') return null;
  const match = PATH.exec(path);
  if (!match || !ENDPOINTS.includes(match[2]!)) return null;
  const endpoint = match[2]!;
  const stream = endpoint === 'streamGenerateContent';
  const sse = query.find(([name]) => name === 'alt')?.[1] === 'sse';
  return {
    provider: 'vertex',
    endpoint,
    model: decodeURIComponent(match[1]!),
    stream,
    streamFormat: stream ? (sse ? 'sse' : 'json-array') : null,
  };
}
