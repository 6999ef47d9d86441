/** Gemini (Google AI): generateContent and its stream (SSE or JSON array), tokens, embeddings. */

import type { ProviderModule } from '../module.ts';
import { headerOf, isRecord } from '../util.ts';
import { assembleGeminiBody, createGeminiAssembler } from './assemble.ts';
import { detectGemini, ROUTES } from './routes.ts';
import { geminiStatusError } from './status-errors.ts';
import { geminiSynthetic } from './synthetic.ts';
import { geminiResults } from './tools.ts';
import { geminiTurns } from './turns.ts';

const GENERATE = new Set(['generateContent', 'streamGenerateContent']);

const gemini: ProviderModule = {
  name: 'gemini',
  detect: detectGemini,
  routes: ROUTES,
  hosts: ['generativelanguage.googleapis.com'],
  sentBySdk: (headers) =>
    /google-genai-sdk/i.test(headerOf(headers, 'x-goog-api-client') ?? '') ||
    /google-genai-sdk/i.test(headerOf(headers, 'user-agent') ?? ''),

  upstream: 'https://generativelanguage.googleapis.com',
  expectsErrorShape: (url, headers) =>
    url.startsWith('/v1beta') || headerOf(headers, 'x-goog-api-key') !== undefined,
  // @google/genai reads this when no httpOptions.baseUrl is given (it appends /v1beta itself).
  envByDefault: true,
  routingEnv: (url) => ({ GOOGLE_GEMINI_BASE_URL: url }),

  // Gemini sends no request-id header: its id is the body's `responseId` (a stream's first
  // chunk, or the assembly when the caller streamed the events elsewhere).
  requestId(headers, body, assembled) {
    const first = Array.isArray(body) ? body[0] : body;
    const id = isRecord(first) ? first.responseId : undefined;
    if (typeof id === 'string') return id;
    return headerOf(headers, 'x-request-id') ?? assembled?.response_id ?? null;
  },
  toolResults: (route, body) => (GENERATE.has(route.endpoint) ? geminiResults(body) : []),
  assembleBody: (route, body) =>
    GENERATE.has(route.endpoint) ? assembleGeminiBody(body) : undefined,
  createAssembler: () => createGeminiAssembler(),

  volatile: {
    request: ['contents.*.parts.*.thoughtSignature'],
    response: ['responseId', 'createTime', 'candidates.*.content.parts.*.thoughtSignature'],
    headers: [/^(x-goog-api-client|x-cloud-trace-context)$/],
  },
  redaction: {
    keepHeaders: [/^x-goog-/, /^x-gemini-/],
    blobFields: ['systemInstruction', 'system_instruction', 'tools'],
  },

  errorBody: (info) => ({
    error: {
      code: info.status,
      message: info.message,
      status: STATUS[info.status] ?? 'UNKNOWN',
      details: [{ reason: info.code, domain: 'replaykit' }],
    },
  }),
  statusError: geminiStatusError,
  synthetic: geminiSynthetic,
  turns: (endpoint, body) =>
    /^(generateContent|streamGenerateContent|countTokens)$/.test(endpoint) ? geminiTurns(body) : [],
};

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export default gemini;
