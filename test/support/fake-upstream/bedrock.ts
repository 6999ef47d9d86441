/**
 * AWS Bedrock Runtime: `POST /model/{id}/converse`, `/converse-stream`, `/invoke`,
 * `/invoke-with-response-stream`. Streams are `application/vnd.amazon.eventstream` messages
 * (encoded in plan.ts with @smithy/eventstream-codec); InvokeModel speaks the model's own body
 * (Anthropic Messages for `anthropic.*` ids), its stream wraps each event as base64 `chunk.bytes`.
 */
import { renderMessages } from './anthropic.ts';
import { jsonBody, type RenderContext, type Rendered, type StreamEvent } from './rendered.ts';
import { argumentsObject, argumentsText, countTokens, splitInto, splitWords } from './text.ts';
import type { StreamErrorReply, TextReply, ToolReply } from './types.ts';

type Content = TextReply | ToolReply | StreamErrorReply;

export function bedrockHeaders(ctx: RenderContext): Record<string, string> {
  return {
    'x-amzn-requestid': `00000000-0000-4000-8000-${ctx.requestId.slice(-12).padStart(12, '0')}`,
  };
}

/** Bedrock pads each stream event with `p` so that sizes do not reveal token lengths. */
const pad = (n: number) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'.slice(0, 1 + (n % 30));

const event = (name: string, data: Record<string, unknown>, n: number): StreamEvent => ({
  event: name,
  data: JSON.stringify({ ...data, p: pad(n) }),
});

function eventstream(ctx: RenderContext, events: StreamEvent[]): Rendered {
  return {
    type: 'stream',
    status: 200,
    headers: { ...bedrockHeaders(ctx), 'content-type': 'application/vnd.amazon.eventstream' },
    format: 'eventstream',
    events,
  };
}

export function renderConverse(reply: Content, ctx: RenderContext): Rendered {
  const text = reply.kind === 'stream-error' ? '' : (reply.text ?? '');
  const tools = (reply.kind === 'tool' ? reply.calls : []).map((call) => ({
    toolUseId: call.callId ?? ctx.ids.next('tooluse', '_fake'),
    name: call.name,
    input: argumentsObject(call.arguments),
  }));
  const stopReason = tools.length > 0 ? 'tool_use' : 'end_turn';
  const inputTokens = countTokens(ctx.req.bodyText);
  const outputTokens = countTokens(text + JSON.stringify(tools));
  const usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  if (!ctx.stream) {
    const content = [...(text ? [{ text }] : []), ...tools.map((toolUse) => ({ toolUse }))];
    return jsonBody(200, bedrockHeaders(ctx), {
      output: { message: { role: 'assistant', content } },
      stopReason,
      usage,
      metrics: { latencyMs: 42 },
    });
  }
  let n = 0;
  const events: StreamEvent[] = [event('messageStart', { role: 'assistant' }, n++)];
  if (reply.kind === 'stream-error') {
    events.push({
      event: 'exception:modelStreamErrorException',
      data: JSON.stringify({ message: reply.message ?? 'Model stream failed.' }),
    });
    return eventstream(ctx, events);
  }
  let index = 0;
  if (text) {
    for (const piece of splitWords(text)) {
      events.push(
        event('contentBlockDelta', { contentBlockIndex: index, delta: { text: piece } }, n++),
      );
    }
    events.push(event('contentBlockStop', { contentBlockIndex: index }, n++));
    index++;
  }
  for (const tool of tools) {
    const start = { toolUse: { toolUseId: tool.toolUseId, name: tool.name } };
    events.push(event('contentBlockStart', { contentBlockIndex: index, start }, n++));
    for (const input of splitInto(argumentsText(tool.input), 3)) {
      events.push(
        event(
          'contentBlockDelta',
          { contentBlockIndex: index, delta: { toolUse: { input } } },
          n++,
        ),
      );
    }
    events.push(event('contentBlockStop', { contentBlockIndex: index }, n++));
    index++;
  }
  events.push(event('messageStop', { stopReason }, n++));
  events.push(event('metadata', { usage, metrics: { latencyMs: 42 } }, n++));
  return eventstream(ctx, events);
}

/** InvokeModel: the Anthropic Messages answer, its stream events wrapped in `chunk` messages. */
export function renderInvoke(reply: Content, ctx: RenderContext): Rendered {
  const inner = renderMessages(reply, ctx);
  const headers = bedrockHeaders(ctx);
  if (inner.type === 'body') {
    return { ...inner, headers: { ...headers, 'content-type': 'application/json' } };
  }
  const events = inner.events.map((e, i) => {
    const bytes = Buffer.from(e.data).toString('base64');
    return event('chunk', { bytes }, i);
  });
  return eventstream(ctx, events);
}
