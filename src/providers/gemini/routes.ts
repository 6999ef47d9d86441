/** Gemini routes: `POST /v1beta/models/{model}:{method}` (also `/v1`, `/v1alpha`, tuned models). */
import type { RouteInfo, RouteRequest, UrlParts } from '../module.ts';
import { isRecord } from '../util.ts';

const PATH = /^\/(?:v1beta|v1|v1alpha)\/(?:models|tunedModels)\/([^/:]+):([A-Za-z]+)$/;
const ENDPOINTS = [
  'generateContent',
  'streamGenerateContent',
  'countTokens',
  'embedContent',
  'batchEmbedContents',
];

export const ROUTES = ENDPOINTS.map((e) => `POST /v1beta/models/{model}:${e}`);

export function detectGemini(req: RouteRequest, { path, query }: UrlParts): RouteInfo | null {
  // Only POSTs: `GET /v1/models/ft:...` is an OpenAI fine-tuned model id.
  if (req.method.toUpperCase() !== 'POST') return null;
  const match = PATH.exec(path);
  if (!match || !ENDPOINTS.includes(match[2]!)) return null;
  const endpoint = match[2]!;
  const stream = endpoint === 'streamGenerateContent';
  // The first `alt`, as URLSearchParams.get reads it.
  const sse = query.find(([name]) => name === 'alt')?.[1] === 'sse';
  const fromBody = isRecord(req.body) ? req.body.model : undefined;
  return {
    provider: 'gemini',
    endpoint,
    model: decodeURIComponent(match[1]!) || (typeof fromBody === 'string' ? fromBody : null),
    stream,
    streamFormat: stream ? (sse ? 'sse' : 'json-array') : null,
  };
}
