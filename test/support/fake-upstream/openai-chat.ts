/** OpenAI Chat Completions: `POST /v1/chat/completions` (JSON, SSE ending `data: [DONE]`). */
import { openaiHeaders } from './openai-headers.ts';
import { jsonBody, type RenderContext, type Rendered, type StreamEvent } from './rendered.ts';
import { argumentsText, countTokens, obfuscation, splitInto, splitWords } from './text.ts';
import type { StreamErrorReply, TextReply, ToolReply } from './types.ts';

type Content = TextReply | ToolReply | StreamErrorReply;

function usage(ctx: RenderContext, outputText: string) {
  const prompt = countTokens(ctx.req.bodyText);
  const completion = countTokens(outputText);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function calls(reply: ToolReply, ctx: RenderContext) {
  return reply.calls.map((call) => {
    const id = call.callId ?? ctx.ids.next('call');
    const args = argumentsText(call.arguments);
    return call.type === 'custom'
      ? { id, type: 'custom' as const, custom: { name: call.name, input: args } }
      : { id, type: 'function' as const, function: { name: call.name, arguments: args } };
  });
}

export function renderChat(reply: Content, ctx: RenderContext): Rendered {
  const headers = openaiHeaders(ctx);
  const id = ctx.ids.next('chatcmpl', '-fake');
  const text = reply.kind === 'stream-error' ? '' : (reply.text ?? '');
  const toolCalls = reply.kind === 'tool' ? calls(reply, ctx) : [];
  const finish = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  const outputText = text + toolCalls.map((c) => JSON.stringify(c)).join('');
  const head = { id, created: ctx.created, model: ctx.model, service_tier: 'default' };
  if (!ctx.stream) {
    const message = {
      role: 'assistant',
      content: text === '' && toolCalls.length > 0 ? null : text,
      refusal: null,
      annotations: [],
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    };
    return jsonBody(200, headers, {
      ...head,
      object: 'chat.completion',
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
      usage: usage(ctx, outputText),
      system_fingerprint: null,
    });
  }
  const body = (ctx.req.body ?? {}) as { stream_options?: { include_usage?: boolean } };
  const withUsage = body.stream_options?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null) => {
    const obf = obfuscation(JSON.stringify(delta));
    const choices = [{ index: 0, delta, logprobs: null, finish_reason }];
    return {
      data: JSON.stringify({
        ...head,
        object: 'chat.completion.chunk',
        system_fingerprint: null,
        choices,
        ...(withUsage ? { usage: null } : {}),
        obfuscation: obf,
      }),
    };
  };
  const events: StreamEvent[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  if (reply.kind === 'stream-error') {
    const error = {
      message: reply.message ?? 'The model failed.',
      type: 'server_error',
      param: null,
      code: null,
    };
    events.push({ data: JSON.stringify({ error }) });
    return sse(headers, events);
  }
  for (const delta of splitWords(text)) events.push(chunk({ content: delta }));
  toolCalls.forEach((call, index) => {
    const fn = call.type === 'custom' ? call.custom : call.function;
    const args = call.type === 'custom' ? call.custom.input : call.function.arguments;
    const open =
      call.type === 'custom' ? { name: fn.name, input: '' } : { name: fn.name, arguments: '' };
    events.push(
      chunk({ tool_calls: [{ index, id: call.id, type: call.type, [call.type]: open }] }),
    );
    for (const piece of splitInto(args, 3)) {
      const field = call.type === 'custom' ? { input: piece } : { arguments: piece };
      events.push(chunk({ tool_calls: [{ index, [call.type]: field }] }));
    }
  });
  events.push(chunk({}, finish));
  if (withUsage) {
    const last = {
      ...head,
      object: 'chat.completion.chunk',
      system_fingerprint: null,
      choices: [],
      usage: usage(ctx, outputText),
      obfuscation: 'fake',
    };
    events.push({ data: JSON.stringify(last) });
  }
  events.push({ data: '[DONE]' });
  return sse(headers, events);
}

function sse(headers: Record<string, string>, events: StreamEvent[]): Rendered {
  return {
    type: 'stream',
    status: 200,
    headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8' },
    format: 'sse',
    events,
  };
}
