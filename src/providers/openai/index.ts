/** OpenAI: Responses (HTTP and WebSocket), Chat Completions, embeddings, models. */
import type { ProviderModule } from '../module.ts';
import { headerOf } from '../util.ts';
import { assembleChatBody, createChatAssembler } from './chat.ts';
import { openaiChatTurns } from './chat-turns.ts';
import { assembleResponsesBody, createResponsesAssembler } from './responses.ts';
import { openaiResponsesTurns } from './responses-turns.ts';
import { detectOpenAI, ROUTES } from './routes.ts';
import { openaiStatusError } from './status-errors.ts';
import { openaiSynthetic } from './synthetic.ts';
import { chatResults, responsesResults } from './tools.ts';

const openai: ProviderModule = {
  name: 'openai',
  detect: detectOpenAI,
  routes: ROUTES,
  hosts: ['api.openai.com'],
  sentBySdk: (headers) => /^OpenAI\//i.test(headerOf(headers, 'user-agent') ?? ''),

  upstream: 'https://api.openai.com',
  // Accepted without `/v1` (a base URL set without it), always forwarded with it.
  upstreamPath: (url) => (url.startsWith('/v1/') ? url : `/v1${url}`),
  envByDefault: true,
  routingEnv: (url) => ({ OPENAI_BASE_URL: `${url}/v1` }),

  requestId: (headers) => headerOf(headers, 'x-request-id') ?? null,
  toolResults(route, body) {
    if (route.endpoint === 'responses') return responsesResults(body);
    if (route.endpoint === 'chat.completions') return chatResults(body);
    return [];
  },
  assembleBody(route, body) {
    if (route.endpoint === 'responses' || route.endpoint === 'responses.compact') {
      return assembleResponsesBody(body);
    }
    if (route.endpoint === 'chat.completions') return assembleChatBody(body);
    return undefined;
  },
  createAssembler(route) {
    if (route.endpoint === 'chat.completions') return createChatAssembler();
    if (route.endpoint === 'responses') return createResponsesAssembler();
    return null;
  },

  volatile: {
    request: ['prompt_cache_key', 'input.*.encrypted_content'],
    response: [
      // Responses (body, and the `response` object of lifecycle events)
      'id',
      'created_at',
      'completed_at',
      'output.*.id',
      'response.id',
      'response.created_at',
      'response.completed_at',
      'response.output.*.id',
      'item_id',
      'item.id',
      'obfuscation',
      // Chat Completions (body and chunks)
      'created',
      'system_fingerprint',
    ],
    headers: [
      /^x-stainless-/,
      /^(openai-processing-ms|openai-organization|openai-project|x-envoy-upstream-service-time)$/,
      /^x-ratelimit-/,
    ],
  },
  redaction: {
    keepHeaders: [
      /^openai-/,
      /^x-ratelimit-/,
      /^originator$/,
      /^version$/,
      /^session-id$/,
      /^thread-id$/,
      /^x-client-request-id$/,
      /^x-codex-/,
    ],
    blobFields: ['instructions', 'tools', 'functions'],
  },

  errorBody: (info) => ({
    error: { message: info.message, type: info.type, param: null, code: info.code },
  }),
  statusError: openaiStatusError,
  synthetic: openaiSynthetic,
  turns(endpoint, body) {
    if (endpoint === 'responses' || endpoint === 'responses.compact')
      return openaiResponsesTurns(body);
    if (endpoint === 'chat.completions') return openaiChatTurns(body);
    return [];
  },
};

export default openai;
