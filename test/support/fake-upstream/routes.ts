/** Maps a request to the route that answers it (see the route matrix in docs/CONTRACT.md). */
import {
  renderAnthropicModels,
  renderCountTokens,
  renderMessages,
  renderProbe,
} from './anthropic.ts';
import { renderConverse, renderInvoke } from './bedrock.ts';
import {
  renderBatchEmbed,
  renderEmbedContent,
  renderGeminiCountTokens,
  renderGenerate,
} from './gemini.ts';
import { renderOllamaChat, renderOllamaGenerate, renderOllamaTags } from './ollama.ts';
import { renderChat } from './openai-chat.ts';
import { renderEmbeddings, renderOpenaiModels } from './openai-misc.ts';
import { renderCompact, renderResponses } from './openai-responses.ts';
import type { RenderContext, Rendered, StreamFormat } from './rendered.ts';
import type { Provider, StreamErrorReply, TextReply, ToolReply } from './types.ts';

export type RouteContent = TextReply | ToolReply | StreamErrorReply;

export interface Route {
  provider: Provider;
  endpoint: string;
  stream: boolean;
  format: StreamFormat;
  /** The model named by the request (body `model` or the Gemini path). */
  model: string;
  render: (content: RouteContent, ctx: RenderContext) => Rendered;
}

const DEFAULT_MODEL: Record<Provider, string> = {
  openai: 'gpt-5-mini',
  anthropic: 'claude-sonnet-4-6',
  gemini: 'gemini-2.5-flash',
  bedrock: 'anthropic.claude-sonnet-4-5-v1:0',
  ollama: 'llama3.2',
};

const GEMINI = /^\/(?:v1beta|v1|v1alpha)\/models\/([^/:]+):([A-Za-z]+)$/;
// Vertex AI: the same actions under a project and location (`@google/genai` with `vertexai: true`).
const VERTEX =
  /^\/(?:v1|v1beta1)\/projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/([^/:]+):([A-Za-z]+)$/;
const BEDROCK = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/;
/**
 * Prefixes OpenAI-shaped APIs put before `/chat/completions`: Azure deployments (the deployment
 * is the model) and `/openai/v1`, Groq's `/openai/v1`, OpenRouter's `/api/v1`, plain `/v1`.
 */
const OPENAI_PREFIX =
  /^(?:\/openai\/deployments\/([^/]+)|\/openai\/v1|\/openai|\/api\/v1|\/v1)(?=\/)/;

export function matchRoute(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: unknown,
): Route | undefined {
  const { pathname, searchParams } = new URL(url, 'http://fake');
  const fields = (body ?? {}) as { model?: unknown; stream?: unknown };
  const stream = fields.stream === true;
  const bodyModel = typeof fields.model === 'string' ? fields.model : undefined;
  const route = (
    provider: Provider,
    endpoint: string,
    render: Route['render'],
    extra: Partial<Route> = {},
  ): Route => ({
    provider,
    endpoint,
    render,
    stream,
    format: 'sse',
    model: bodyModel ?? DEFAULT_MODEL[provider],
    ...extra,
  });

  const gemini = GEMINI.exec(pathname) ?? VERTEX.exec(pathname);
  if (gemini && method === 'POST') {
    const [, model = DEFAULT_MODEL.gemini, action] = gemini;
    const extra = { model: decodeURIComponent(model) };
    if (action === 'generateContent')
      return route('gemini', action, renderGenerate, { ...extra, stream: false });
    if (action === 'streamGenerateContent') {
      const format = searchParams.get('alt') === 'sse' ? 'sse' : 'json-array';
      return route('gemini', action, renderGenerate, { ...extra, stream: true, format });
    }
    if (action === 'countTokens') return route('gemini', action, renderGeminiCountTokens, extra);
    if (action === 'embedContent') return route('gemini', action, renderEmbedContent, extra);
    if (action === 'batchEmbedContents') return route('gemini', action, renderBatchEmbed, extra);
    return undefined;
  }

  const bedrock = BEDROCK.exec(pathname);
  if (bedrock && method === 'POST') {
    const [, id = '', action = ''] = bedrock;
    const model = decodeURIComponent(id);
    const stream = action.endsWith('stream');
    const render = action.startsWith('converse') ? renderConverse : renderInvoke;
    return route('bedrock', action, render, { model, stream, format: 'eventstream' });
  }

  if (pathname === '/api/tags' && method === 'GET')
    return route('ollama', 'tags', renderOllamaTags);
  if ((pathname === '/api/chat' || pathname === '/api/generate') && method === 'POST') {
    // Ollama streams unless told not to.
    const render = pathname === '/api/chat' ? renderOllamaChat : renderOllamaGenerate;
    const endpoint = pathname.slice('/api/'.length);
    return route('ollama', endpoint, render, { stream: fields.stream !== false, format: 'ndjson' });
  }

  // OpenAI clients may omit the /v1 prefix (a base URL without it); strip it once.
  const prefix = OPENAI_PREFIX.exec(pathname);
  const deployment = prefix?.[1] === undefined ? {} : { model: decodeURIComponent(prefix[1]) };
  const path = pathname.slice(prefix?.[0].length ?? 0).replace(/\/+$/, '') || '/';
  if (method === 'HEAD' && path === '/') return route('anthropic', 'probe', renderProbe);
  if (method === 'GET' && /^\/models(\/[^/]+)?$/.test(path)) {
    const anthropic = 'anthropic-version' in headers || 'x-api-key' in headers;
    return anthropic
      ? route('anthropic', 'models', renderAnthropicModels)
      : route('openai', 'models', renderOpenaiModels);
  }
  if (method !== 'POST') return undefined;
  if (path === '/responses')
    return route('openai', 'responses', renderResponses, { ...deployment });
  if (path === '/responses/compact')
    return route('openai', 'responses.compact', renderCompact, { stream: false });
  if (path === '/chat/completions')
    return route('openai', 'chat.completions', renderChat, { ...deployment });
  if (path === '/embeddings')
    return route('openai', 'embeddings', renderEmbeddings, { stream: false });
  if (path === '/messages') return route('anthropic', 'messages', renderMessages);
  if (path === '/messages/count_tokens')
    return route('anthropic', 'messages.count_tokens', renderCountTokens, { stream: false });
  return undefined;
}
