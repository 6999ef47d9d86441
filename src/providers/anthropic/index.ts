/** Anthropic: Messages (JSON and SSE), token counting, models, the `HEAD /` probe. */

import type { ProviderModule } from '../module.ts';
import { headerOf, isRecord } from '../util.ts';
import { assembleAnthropicBody, createAnthropicAssembler } from './assemble.ts';
import { detectAnthropic, looksAnthropic, ROUTES } from './routes.ts';
import { anthropicStatusError } from './status-errors.ts';
import { anthropicSynthetic } from './synthetic.ts';
import { anthropicResults } from './tools.ts';
import { anthropicTurns } from './turns.ts';

const anthropic: ProviderModule = {
  name: 'anthropic',
  detect: detectAnthropic,
  routes: ROUTES,
  hosts: ['api.anthropic.com'],
  sentBySdk: (headers) =>
    headerOf(headers, 'anthropic-version') !== undefined ||
    /^Anthropic\//i.test(headerOf(headers, 'user-agent') ?? ''),

  upstream: 'https://api.anthropic.com',
  expectsErrorShape: (_url, headers) => looksAnthropic(headers),
  envByDefault: true,
  routingEnv: (url) => ({ ANTHROPIC_BASE_URL: url }),

  // Error bodies repeat the header's id as `request_id`.
  requestId(headers, body) {
    const fromBody = isRecord(body) ? body.request_id : undefined;
    return headerOf(headers, 'request-id') ?? (typeof fromBody === 'string' ? fromBody : null);
  },
  toolResults: (route, body) => (route.endpoint === 'messages' ? anthropicResults(body) : []),
  assembleBody: (route, body) =>
    route.endpoint === 'messages' ? assembleAnthropicBody(body) : undefined,
  // Every Anthropic stream is Messages-shaped (an error arrives as `event: error`).
  createAssembler: () => createAnthropicAssembler(),

  volatile: {
    request: ['messages.*.content.*.signature'],
    response: ['message.id', 'content.*.signature', 'content_block.signature', 'delta.signature'],
    headers: [/^x-stainless-/, /^anthropic-ratelimit-/],
  },
  redaction: {
    keepHeaders: [/^anthropic-/, /^x-claude-code-/, /^x-app$/],
    blobFields: ['system', 'tools'],
  },

  errorBody: (info) => ({
    type: 'error',
    error: { type: info.type, message: info.message },
    request_id: null,
  }),
  statusError: anthropicStatusError,
  synthetic: anthropicSynthetic,
  turns: (endpoint, body) => (endpoint.startsWith('messages') ? anthropicTurns(body) : []),
};

export default anthropic;
