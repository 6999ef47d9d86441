/**
 * Ollama's native API: `POST /api/chat` and `/api/generate` (NDJSON stream, one JSON object per
 * line, the last with `done: true`; streaming is the default when `stream` is absent), `/api/tags`.
 */
import { jsonBody, type RenderContext, type Rendered, type StreamEvent } from './rendered.ts';
import { argumentsObject, countTokens, splitWords } from './text.ts';
import type { StreamErrorReply, TextReply, ToolReply } from './types.ts';

type Content = TextReply | ToolReply | StreamErrorReply;

const CREATED_AT = '2025-01-01T00:00:00.000000000Z';

function stats(ctx: RenderContext, output: string) {
  return {
    total_duration: 1_234_567,
    load_duration: 12_345,
    prompt_eval_count: countTokens(ctx.req.bodyText),
    prompt_eval_duration: 23_456,
    eval_count: countTokens(output),
    eval_duration: 34_567,
  };
}

function ndjson(events: StreamEvent[]): Rendered {
  return {
    type: 'stream',
    status: 200,
    headers: { 'content-type': 'application/x-ndjson' },
    format: 'ndjson',
    events,
  };
}

function render(reply: Content, ctx: RenderContext, chat: boolean): Rendered {
  const text = reply.kind === 'stream-error' ? '' : (reply.text ?? '');
  const thinking = reply.kind === 'stream-error' ? undefined : reply.reasoning;
  const toolCalls = (reply.kind === 'tool' ? reply.calls : []).map((call, index) => ({
    ...(call.callId !== undefined ? { id: call.callId } : {}),
    function: { index, name: call.name, arguments: argumentsObject(call.arguments) },
  }));
  const head = { model: ctx.model, created_at: CREATED_AT };
  const piece = (content: string, extra: Record<string, unknown> = {}) =>
    chat
      ? { ...head, message: { role: 'assistant', content, ...extra }, done: false }
      : { ...head, response: content, ...extra, done: false };
  const final = {
    ...head,
    ...(chat ? { message: { role: 'assistant', content: '' } } : { response: '' }),
    done: true,
    done_reason: 'stop',
    ...(chat ? {} : { context: [1, 2, 3] }),
    ...stats(ctx, text),
  };
  if (!ctx.stream) {
    const extra = {
      ...(thinking ? { thinking } : {}),
      ...(chat && toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    };
    const body = chat
      ? { ...final, message: { role: 'assistant', content: text, ...extra } }
      : { ...final, response: text, ...extra };
    return jsonBody(200, {}, body);
  }
  const lines: unknown[] = [];
  if (reply.kind === 'stream-error') {
    lines.push(piece(''));
    lines.push({ error: reply.message ?? 'model runner has unexpectedly stopped' });
    return ndjson(lines.map((l) => ({ data: JSON.stringify(l) })));
  }
  for (const t of thinking ? splitWords(thinking) : []) lines.push(piece('', { thinking: t }));
  for (const t of splitWords(text)) lines.push(piece(t));
  if (chat && toolCalls.length > 0) lines.push(piece('', { tool_calls: toolCalls }));
  lines.push(final);
  return ndjson(lines.map((l) => ({ data: JSON.stringify(l) })));
}

export const renderOllamaChat = (reply: Content, ctx: RenderContext) => render(reply, ctx, true);
export const renderOllamaGenerate = (reply: Content, ctx: RenderContext) =>
  render(reply, ctx, false);

export function renderOllamaTags(_reply: Content, _ctx: RenderContext): Rendered {
  return jsonBody(
    200,
    {},
    {
      models: [
        { name: 'llama3.2:latest', model: 'llama3.2:latest', modified_at: CREATED_AT, size: 1 },
      ],
    },
  );
}
