/** OpenAI Responses API: `POST /v1/responses` (JSON, SSE, WebSocket frames) and `/responses/compact`. */
import { openaiHeaders } from './openai-headers.ts';
import { reasoningOutput } from './openai-reasoning.ts';
import { jsonBody, type RenderContext, type Rendered, type StreamEvent } from './rendered.ts';
import { argumentsText, countTokens, obfuscation, splitInto, splitWords } from './text.ts';
import type { StreamErrorReply, TextReply, ToolReply } from './types.ts';

type Item = Record<string, unknown>;
type Content = TextReply | ToolReply | StreamErrorReply;

function baseResponse(ctx: RenderContext, id: string): Record<string, unknown> {
  const body = (ctx.req.body ?? {}) as Record<string, unknown>;
  return {
    id,
    object: 'response',
    created_at: ctx.created,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: ctx.model,
    output: [],
    parallel_tool_calls: true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: body.store ?? true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
  };
}

function usage(ctx: RenderContext, outputText: string): Record<string, unknown> {
  const input = countTokens(ctx.req.bodyText);
  const output = countTokens(outputText);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

/** Builds the output items and the events that stream them, in order. */
function buildOutput(reply: TextReply | ToolReply, ctx: RenderContext) {
  const items: Item[] = [];
  const events: [string, Record<string, unknown>][] = [];
  const text = reply.text;
  if (reply.reasoning) {
    const reasoning = reasoningOutput(reply.reasoning, items.length, ctx.ids);
    events.push(...reasoning.events);
    items.push(reasoning.item);
  }
  if (text !== undefined && text !== '') {
    const index = items.length;
    const id = ctx.ids.next('msg');
    const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
    const where = { item_id: id, output_index: index, content_index: 0 };
    events.push([
      'response.output_item.added',
      {
        output_index: index,
        item: { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
      },
    ]);
    events.push(['response.content_part.added', { ...where, part }]);
    for (const delta of splitWords(text)) {
      events.push([
        'response.output_text.delta',
        { ...where, delta, logprobs: [], obfuscation: obfuscation(delta) },
      ]);
    }
    events.push(['response.output_text.done', { ...where, text, logprobs: [] }]);
    events.push(['response.content_part.done', { ...where, part: { ...part, text } }]);
    const item = {
      id,
      type: 'message',
      status: 'completed',
      content: [{ ...part, text }],
      role: 'assistant',
    };
    events.push(['response.output_item.done', { output_index: index, item }]);
    items.push(item);
  }
  for (const call of reply.kind === 'tool' ? reply.calls : []) {
    const index = items.length;
    const callId = call.callId ?? ctx.ids.next('call');
    const args = argumentsText(call.arguments);
    const custom = call.type === 'custom';
    const id = ctx.ids.next(custom ? 'ctc' : 'fc');
    const field = custom ? 'input' : 'arguments';
    const type = custom ? 'custom_tool_call' : 'function_call';
    const eventBase = custom
      ? 'response.custom_tool_call_input'
      : 'response.function_call_arguments';
    const start = {
      id,
      type,
      status: 'in_progress',
      [field]: '',
      call_id: callId,
      name: call.name,
    };
    events.push(['response.output_item.added', { output_index: index, item: start }]);
    for (const delta of splitInto(args, 3)) {
      events.push([
        `${eventBase}.delta`,
        { item_id: id, output_index: index, delta, obfuscation: obfuscation(delta) },
      ]);
    }
    const done = custom
      ? { item_id: id, output_index: index, input: args }
      : { item_id: id, output_index: index, name: call.name, arguments: args };
    events.push([`${eventBase}.done`, done]);
    const item = { ...start, status: 'completed', [field]: args };
    events.push(['response.output_item.done', { output_index: index, item }]);
    items.push(item);
  }
  const outputText = [text ?? '', ...items.map((i) => String(i.arguments ?? i.input ?? ''))];
  return { items, events, outputText: outputText.join('') };
}

function toStream(pairs: [string, Record<string, unknown>][]): StreamEvent[] {
  return pairs.map(([type, fields], sequence_number) => ({
    event: type,
    data: JSON.stringify({ type, sequence_number, ...fields }),
  }));
}

export function renderResponses(reply: Content, ctx: RenderContext): Rendered {
  const headers = openaiHeaders(ctx);
  const id = ctx.ids.next('resp');
  const start = baseResponse(ctx, id);
  const lifecycle: [string, Record<string, unknown>][] = [
    ['response.created', { response: start }],
    ['response.in_progress', { response: start }],
  ];
  if (reply.kind === 'stream-error') {
    const error = { code: 'server_error', message: reply.message ?? 'The model failed.' };
    const failed = { ...start, status: 'failed', error };
    return stream(headers, [...lifecycle, ['response.failed', { response: failed }]]);
  }
  const { items, events, outputText } = buildOutput(reply, ctx);
  const final = { ...start, status: 'completed', output: items, usage: usage(ctx, outputText) };
  if (!ctx.stream) return jsonBody(200, headers, final);
  return stream(headers, [...lifecycle, ...events, ['response.completed', { response: final }]]);
}

/** A WebSocket prewarm (`response.create` with empty input): a response with no output. */
export function renderPrewarm(ctx: RenderContext): Rendered {
  const start = baseResponse(ctx, ctx.ids.next('resp'));
  const final = { ...start, status: 'completed', usage: usage(ctx, '') };
  return stream(openaiHeaders(ctx), [
    ['response.created', { response: start }],
    ['response.completed', { response: final }],
  ]);
}

function stream(
  headers: Record<string, string>,
  pairs: [string, Record<string, unknown>][],
): Rendered {
  return {
    type: 'stream',
    status: 200,
    headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8' },
    format: 'sse',
    events: toStream(pairs),
  };
}

/** `POST /v1/responses/compact`: the compacted conversation as output items. */
export function renderCompact(reply: Content, ctx: RenderContext): Rendered {
  const text = reply.kind === 'text' ? reply.text : 'Summary of the conversation so far.';
  const output = [
    {
      id: ctx.ids.next('msg'),
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_text', text }],
    },
    { id: ctx.ids.next('cmp'), type: 'compaction', encrypted_content: 'gAAAAfake-compaction' },
  ];
  return jsonBody(200, openaiHeaders(ctx), {
    id: ctx.ids.next('resp'),
    object: 'response.compaction',
    created_at: ctx.created,
    output,
    usage: usage(ctx, text),
  });
}
