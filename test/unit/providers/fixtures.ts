/**
 * The provider fixture set (test/fixtures/providers/): raw response bytes shaped after the
 * official SDK types and docs (FACTS.md), each with the request that produced it, and a helper
 * that runs one through the adapters exactly as a front door would.
 */
import { readFileSync } from 'node:fs';
import type { StepInput } from '../../../src/cassette/schema.ts';
import {
  createStreamCapture,
  decodeBody,
  requestSteps,
  responseSteps,
} from '../../../src/providers/index.ts';

export const FIXTURES = new URL('../../fixtures/providers/', import.meta.url);

export interface Fixture {
  file: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  status?: number;
  responseHeaders?: Record<string, string>;
  /** How the body is delivered: HTTP bytes, or one WebSocket frame per line. */
  kind: 'bytes' | 'ws';
  /** The connection was cut (the fixture ends mid-stream). */
  aborted?: boolean;
}

const SSE = { 'content-type': 'text/event-stream; charset=utf-8' };
const JSON_HEADERS = { 'content-type': 'application/json' };
const OPENAI_REQ = { 'content-type': 'application/json', authorization: 'Bearer sk-test-FAKE' };
const ANTHROPIC_REQ = {
  'content-type': 'application/json',
  'x-api-key': 'sk-ant-test-FAKE',
  'anthropic-version': '2023-06-01',
};
const GEMINI_REQ = { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-test-FAKE' };
const hi = [{ role: 'user', content: 'hi' }];
const responses = (stream: boolean) => ({ model: 'gpt-5.1', input: 'hi', stream });
const chat = (stream: boolean) => ({ model: 'gpt-4o', messages: hi, stream });
const messages = (stream: boolean) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages: hi,
  stream,
});
const gemini = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

const oai = (file: string, url: string, body: unknown, extra: Partial<Fixture> = {}): Fixture => ({
  file,
  method: 'POST',
  url,
  headers: OPENAI_REQ,
  body,
  responseHeaders: {
    ...(file.endsWith('.json') ? JSON_HEADERS : SSE),
    'x-request-id': 'req_oai_1',
  },
  kind: 'bytes',
  ...extra,
});
const ant = (file: string, body: unknown, extra: Partial<Fixture> = {}): Fixture => ({
  file,
  method: 'POST',
  url: '/v1/messages?beta=true',
  headers: ANTHROPIC_REQ,
  body,
  responseHeaders: { ...(file.endsWith('.json') ? JSON_HEADERS : SSE), 'request-id': 'req_ant_1' },
  kind: 'bytes',
  ...extra,
});
const gem = (file: string, url: string, extra: Partial<Fixture> = {}): Fixture => ({
  file,
  method: 'POST',
  url,
  headers: GEMINI_REQ,
  body: gemini,
  responseHeaders: file.endsWith('.sse') ? SSE : JSON_HEADERS,
  kind: 'bytes',
  ...extra,
});
const GEM = '/v1beta/models/gemini-2.5-flash';

export const FIXTURE_SET: Record<string, Fixture> = {
  'openai responses text (SSE, reasoning, UTF-8)': oai(
    'openai-responses-text.sse',
    '/v1/responses',
    responses(true),
  ),
  'openai responses tools (SSE, function + custom)': oai(
    'openai-responses-tools.sse',
    '/v1/responses',
    responses(true),
  ),
  'openai responses tools (WebSocket)': {
    file: 'openai-responses-tools.ws.jsonl',
    method: 'GET',
    url: '/v1/responses',
    headers: { upgrade: 'websocket', 'openai-beta': 'responses_websockets=2026-02-06' },
    body: { type: 'response.create', ...responses(true) },
    responseHeaders: { 'x-request-id': 'req_ws_1' },
    status: 101,
    kind: 'ws',
  },
  'openai responses failed': oai('openai-responses-failed.sse', '/v1/responses', responses(true)),
  'openai responses incomplete': oai(
    'openai-responses-incomplete.sse',
    '/responses',
    responses(true),
  ),
  'openai responses interrupted': oai(
    'openai-responses-interrupted.sse',
    '/v1/responses',
    responses(true),
    { aborted: true },
  ),
  'openai responses malformed frame': oai(
    'openai-responses-malformed.sse',
    '/v1/responses',
    responses(true),
  ),
  'openai responses JSON (local_shell_call + function_call)': oai(
    'openai-responses.json',
    '/v1/responses',
    responses(false),
  ),
  'openai chat text (SSE, usage chunk, [DONE])': oai(
    'openai-chat-text.sse',
    '/v1/chat/completions',
    chat(true),
  ),
  'openai chat tools (SSE, parallel fragments)': oai(
    'openai-chat-tools.sse',
    '/chat/completions',
    chat(true),
  ),
  'openai chat interrupted': oai(
    'openai-chat-interrupted.sse',
    '/v1/chat/completions',
    chat(true),
    { aborted: true },
  ),
  'openai chat error mid-stream': oai('openai-chat-error.sse', '/v1/chat/completions', chat(true)),
  'openai chat JSON (tool call)': oai('openai-chat.json', '/v1/chat/completions', chat(false)),
  'openai error JSON (429)': oai('openai-error.json', '/v1/chat/completions', chat(false), {
    status: 429,
  }),
  'anthropic text (thinking, signature, ping)': ant('anthropic-text.sse', messages(true)),
  'anthropic tools (input_json_delta)': ant('anthropic-tools.sse', messages(true)),
  'anthropic interrupted': ant('anthropic-interrupted.sse', messages(true), { aborted: true }),
  'anthropic event: error': ant('anthropic-error.sse', messages(true)),
  'anthropic JSON (tool_use)': ant('anthropic.json', messages(false)),
  'anthropic error JSON (529)': ant('anthropic-error.json', messages(false), { status: 529 }),
  'gemini text (SSE, thought, thoughtSignature)': gem(
    'gemini-text.sse',
    `${GEM}:streamGenerateContent?alt=sse`,
  ),
  'gemini tools (JSON array)': gem('gemini-tools.json-array', `${GEM}:streamGenerateContent`),
  'gemini interrupted (JSON array)': gem(
    'gemini-interrupted.json-array',
    `${GEM}:streamGenerateContent`,
    { aborted: true },
  ),
  'gemini error mid-stream (SSE)': gem(
    'gemini-error.sse',
    `/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse`,
  ),
  'gemini JSON (functionCall)': gem('gemini.json', `${GEM}:generateContent`),
  'gemini error JSON (429)': gem('gemini-error.json', `${GEM}:generateContent`, { status: 429 }),
};

export function fixtureBytes(file: string): Buffer {
  return readFileSync(new URL(file, FIXTURES));
}

/** Runs a fixture through the adapters, feeding the bytes in the given chunks. */
export function runFixture(fx: Fixture, split: (bytes: Buffer) => Uint8Array[] = (b) => [b]) {
  const ctx = { correlation_id: 'c1', offset_ms: 0 };
  const raw = fixtureBytes(fx.file);
  const request = requestSteps(
    {
      method: fx.method,
      url: fx.url,
      headers: fx.headers ?? {},
      body: fx.body === undefined ? null : Buffer.from(JSON.stringify(fx.body)),
      transport: fx.kind === 'ws' ? 'websocket' : 'http',
    },
    ctx,
  );
  const route = request.route;
  if (!route) throw new Error(`fixture ${fx.file}: no route for ${fx.method} ${fx.url}`);
  const status = fx.status ?? (fx.kind === 'ws' ? 101 : 200);
  const headers = fx.responseHeaders ?? {};
  let steps: StepInput[];
  if (route.stream && status < 400) {
    const capture = createStreamCapture(route);
    if (fx.kind === 'ws') {
      for (const line of raw.toString('utf8').split('\n')) if (line) capture.pushFrame(line, 1);
    } else {
      for (const chunk of split(raw)) capture.push(chunk, 1);
    }
    const result = capture.finish({ aborted: fx.aborted === true });
    const stream = {
      format: route.streamFormat ?? 'sse',
      state: result.state,
      events: result.events,
    };
    steps = responseSteps(
      route,
      { status, headers, stream, assembled: result.assembled, diagnostics: result.diagnostics },
      ctx,
    );
  } else {
    const body = decodeBody(raw, headers['content-type']);
    steps = responseSteps(route, { status, headers, body: body.body ?? body.body_text }, ctx);
  }
  return { route, steps: [...request.steps, ...steps] };
}
