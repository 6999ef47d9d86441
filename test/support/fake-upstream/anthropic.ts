/** Anthropic Messages API: `POST /v1/messages` (JSON, SSE), count_tokens, models, `HEAD /`. */
import {
  jsonBody,
  type RenderContext,
  type Rendered,
  type StreamEvent,
  sseEvent,
} from './rendered.ts';
import { argumentsObject, argumentsText, countTokens, splitInto, splitWords } from './text.ts';
import type { StreamErrorReply, TextReply, ToolReply } from './types.ts';

type Content = TextReply | ToolReply | StreamErrorReply;

export function anthropicHeaders(ctx: RenderContext): Record<string, string> {
  return {
    'request-id': ctx.requestId,
    'anthropic-organization-id': '00000000-0000-4000-8000-00000000fake',
    'anthropic-ratelimit-requests-limit': '4000',
    'anthropic-ratelimit-requests-remaining': '3999',
    'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:00Z',
    'anthropic-ratelimit-input-tokens-limit': '400000',
    'anthropic-ratelimit-input-tokens-remaining': '399000',
    'anthropic-ratelimit-output-tokens-limit': '80000',
    'anthropic-ratelimit-output-tokens-remaining': '79000',
    'x-ratelimit-remaining-requests': '3999',
  };
}

type Block = Record<string, unknown>;

/** How each block type opens in `content_block_start`, before its deltas fill it. */
const OPENINGS: Record<string, Block> = {
  text: { type: 'text', text: '' },
  thinking: { type: 'thinking', thinking: '', signature: '' },
};

function blocks(reply: TextReply | ToolReply, ctx: RenderContext): Block[] {
  const out: Block[] = [];
  if (reply.reasoning) {
    out.push({ type: 'thinking', thinking: reply.reasoning, signature: 'EqQBCkYIfakesignature' });
  }
  if (reply.text) out.push({ type: 'text', text: reply.text });
  for (const call of reply.kind === 'tool' ? reply.calls : []) {
    const id = call.callId ?? ctx.ids.next('toolu', '_fake');
    out.push({ type: 'tool_use', id, name: call.name, input: argumentsObject(call.arguments) });
  }
  return out;
}

function usage(ctx: RenderContext, output: number) {
  return {
    input_tokens: countTokens(ctx.req.bodyText),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: output,
    service_tier: 'standard',
  };
}

export function renderMessages(reply: Content, ctx: RenderContext): Rendered {
  const headers = anthropicHeaders(ctx);
  const content = reply.kind === 'stream-error' ? [] : blocks(reply, ctx);
  const stopReason = content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
  const outputTokens = countTokens(JSON.stringify(content));
  const message = {
    id: ctx.ids.next('msg', '_fake'),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: usage(ctx, outputTokens),
  };
  if (!ctx.stream) return jsonBody(200, headers, message);
  const start = { ...message, content: [], stop_reason: null, usage: usage(ctx, 1) };
  const events: StreamEvent[] = [
    sseEvent('message_start', { type: 'message_start', message: start }),
  ];
  if (reply.kind === 'stream-error') {
    const error = { type: 'overloaded_error', message: reply.message ?? 'Overloaded' };
    events.push(sseEvent('ping', { type: 'ping' }));
    events.push(sseEvent('error', { type: 'error', error, request_id: ctx.requestId }));
    return sse(headers, events);
  }
  content.forEach((block, index) => {
    const opening = OPENINGS[String(block.type)] ?? { ...block, input: {} };
    events.push(
      sseEvent('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: opening,
      }),
    );
    if (index === 0) events.push(sseEvent('ping', { type: 'ping' }));
    const deltas =
      block.type === 'thinking'
        ? [
            ...splitWords(String(block.thinking)).map((thinking) => ({
              type: 'thinking_delta',
              thinking,
            })),
            { type: 'signature_delta', signature: block.signature },
          ]
        : block.type === 'text'
          ? splitWords(String(block.text)).map((text) => ({ type: 'text_delta', text }))
          : splitInto(argumentsText(block.input as Record<string, unknown>), 3).map(
              (partial_json) => ({
                type: 'input_json_delta',
                partial_json,
              }),
            );
    for (const delta of deltas) {
      events.push(sseEvent('content_block_delta', { type: 'content_block_delta', index, delta }));
    }
    events.push(sseEvent('content_block_stop', { type: 'content_block_stop', index }));
  });
  events.push(
    sseEvent('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    }),
  );
  events.push(sseEvent('message_stop', { type: 'message_stop' }));
  return sse(headers, events);
}

function sse(headers: Record<string, string>, events: StreamEvent[]): Rendered {
  return {
    type: 'stream',
    status: 200,
    headers: {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    },
    format: 'sse',
    events,
  };
}

export function renderCountTokens(_reply: Content, ctx: RenderContext): Rendered {
  return jsonBody(200, anthropicHeaders(ctx), { input_tokens: countTokens(ctx.req.bodyText) });
}

const MODELS = ['claude-sonnet-4-6', 'claude-haiku-4-5', 'claude-opus-4-1'];

function model(id: string) {
  return { type: 'model', id, display_name: id, created_at: '2025-09-29T00:00:00Z' };
}

export function renderAnthropicModels(_reply: Content, ctx: RenderContext): Rendered {
  const id = /\/models\/([^/?]+)/.exec(ctx.req.url)?.[1];
  if (id !== undefined) return jsonBody(200, anthropicHeaders(ctx), model(decodeURIComponent(id)));
  const data = MODELS.map(model);
  return jsonBody(200, anthropicHeaders(ctx), {
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  });
}

export function renderProbe(_reply: Content, ctx: RenderContext): Rendered {
  return { type: 'body', status: 200, headers: anthropicHeaders(ctx), body: '' };
}
