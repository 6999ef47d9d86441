/** Maps a request to the route that answers it (see the route matrix in docs/CONTRACT.md). */
import {
  renderAnthropicModels,
  renderCountTokens,
  renderMessages,
  renderProbe,
} from './anthropic.ts';
import {
  renderBatchEmbed,
  renderEmbedContent,
  renderGeminiCountTokens,
  renderGenerate,
} from './gemini.ts';
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
};

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

  const gemini = /^\/(?:v1beta|v1|v1alpha)\/models\/([^/:]+):([A-Za-z]+)$/.exec(pathname);
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

  // OpenAI clients may omit the /v1 prefix (a base URL without it); strip it once.
  const path = pathname.replace(/^\/v1(?=\/)/, '').replace(/\/+$/, '') || '/';
  if (method === 'HEAD' && path === '/') return route('anthropic', 'probe', renderProbe);
  if (method === 'GET' && /^\/models(\/[^/]+)?$/.test(path)) {
    const anthropic = 'anthropic-version' in headers || 'x-api-key' in headers;
    return anthropic
      ? route('anthropic', 'models', renderAnthropicModels)
      : route('openai', 'models', renderOpenaiModels);
  }
  if (method !== 'POST') return undefined;
  if (path === '/responses') return route('openai', 'responses', renderResponses);
  if (path === '/responses/compact')
    return route('openai', 'responses.compact', renderCompact, { stream: false });
  if (path === '/chat/completions') return route('openai', 'chat.completions', renderChat);
  if (path === '/embeddings')
    return route('openai', 'embeddings', renderEmbeddings, { stream: false });
  if (path === '/messages') return route('anthropic', 'messages', renderMessages);
  if (path === '/messages/count_tokens')
    return route('anthropic', 'messages.count_tokens', renderCountTokens, { stream: false });
  return undefined;
}
