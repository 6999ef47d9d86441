/**
 * Synthetic responses: deterministic, provider-shaped answers the listener makes up when no
 * provider may or can be called (`--mode synthetic`, or a `synthetic_allowed` fallback). They are
 * loud by design: the text says what it is, every response carries
 * `x-replaykit-response-source: synthetic`, and every recorded step `response_source: synthetic`.
 * The same request always gets the same bytes (ids derive from a hash of the request body).
 */
import { createHash } from 'node:crypto';
import type { ModelResponse, StreamEvent } from '../cassette/schema.ts';
import type { RouteInfo } from '../providers/types.ts';

export const SYNTHETIC_TEXT =
  'This is a synthetic response from the ReplayKit listener: no provider was called.';
export const SYNTHETIC_WARNING =
  'mode synthetic: every response is made up by the listener (marked response_source: synthetic); no provider is called.';
export const SOURCE_HEADER = 'x-replaykit-response-source';

type Body = Record<string, unknown> | undefined;

/** The response for one request, or null for a route synthetic mode cannot answer. */
export function syntheticResponse(
  route: RouteInfo,
  body: Body,
  rawBody: Uint8Array | null,
): ModelResponse | null {
  const id = createHash('sha256')
    .update(rawBody ?? '')
    .digest('hex')
    .slice(0, 16);
  const model = route.model ?? (typeof body?.model === 'string' ? body.model : 'synthetic');
  const tokens = Math.ceil((rawBody?.byteLength ?? 0) / 4);
  const out = Math.ceil(SYNTHETIC_TEXT.length / 4);
  const k = `${route.provider} ${route.endpoint}`;
  const stream = route.stream;
  switch (k) {
    case 'openai responses':
      return stream
        ? events(
            route.streamFormat === 'websocket' ? 'websocket' : 'sse',
            responsesEvents(id, model, tokens, out),
            true,
          )
        : json(responsesObject(id, model, tokens, out, 'completed'));
    case 'openai chat.completions':
      return stream
        ? events('sse', chatEvents(id, model), false)
        : json(chatObject(id, model, tokens, out));
    case 'openai embeddings':
      return json(embeddings(body, model, tokens));
    case 'openai models':
      return json({
        object: 'list',
        data: [{ id: 'synthetic', object: 'model', created: 0, owned_by: 'replaykit' }],
      });
    case 'openai responses.compact':
      return json({ id: `resp_synth_${id}`, object: 'response.compaction', output: [] });
    case 'anthropic messages':
      return stream
        ? events('sse', anthropicEvents(id, model, tokens, out), true)
        : json(anthropicObject(id, model, tokens, out));
    case 'anthropic messages.count_tokens':
      return json({ input_tokens: tokens });
    case 'anthropic models':
      return json({
        data: [
          {
            type: 'model',
            id: 'synthetic',
            display_name: 'Synthetic',
            created_at: '1970-01-01T00:00:00Z',
          },
        ],
        has_more: false,
        first_id: 'synthetic',
        last_id: 'synthetic',
      });
    case 'anthropic probe':
      return { ...json(null), body: undefined };
    case 'gemini generateContent':
      return json(geminiChunk(id, model, SYNTHETIC_TEXT, tokens, out));
    case 'gemini streamGenerateContent':
      return events(
        route.streamFormat === 'json-array' ? 'json-array' : 'sse',
        [{ data: geminiChunk(id, model, SYNTHETIC_TEXT, tokens, out) }],
        false,
      );
    case 'gemini countTokens':
      return json({ totalTokens: tokens });
    case 'gemini embedContent':
      return json({ embedding: { values: vector(id) } });
    case 'gemini batchEmbedContents': {
      const n = Array.isArray(body?.requests) ? body.requests.length : 1;
      return json({ embeddings: Array.from({ length: n }, () => ({ values: vector(id) })) });
    }
    default:
      return null;
  }
}

function base(status: number, contentType: string): ModelResponse {
  return {
    type: 'model.response',
    index: 0,
    correlation_id: 'synthetic',
    provider: 'unknown',
    endpoint: '',
    offset_ms: 0,
    status,
    headers: { 'content-type': contentType, [SOURCE_HEADER]: 'synthetic' },
    response_source: 'synthetic',
  };
}

function json(body: unknown): ModelResponse {
  return { ...base(200, 'application/json'), body };
}

function events(
  format: 'sse' | 'websocket' | 'json-array',
  list: { event?: string; data: unknown }[],
  named: boolean,
): ModelResponse {
  const type = format === 'json-array' ? 'application/json' : 'text/event-stream';
  const evs: StreamEvent[] = list.map((e) => ({
    offset_ms: 0,
    ...(named && format === 'sse' && e.event ? { event: e.event } : {}),
    data: e.data,
  }));
  if (!named && format === 'sse' && list[0]?.event === undefined && chatDone(list)) {
    evs.push({ offset_ms: 0, data: '[DONE]' });
  }
  return {
    ...base(200, type),
    ...(format === 'sse'
      ? {
          headers: {
            'content-type': type,
            'cache-control': 'no-cache',
            [SOURCE_HEADER]: 'synthetic',
          },
        }
      : {}),
    stream: { format, state: 'completed', events: evs },
  };
}

const chatDone = (list: { data: unknown }[]) =>
  (list[0]?.data as { object?: string } | undefined)?.object === 'chat.completion.chunk';

function responsesObject(id: string, model: string, input: number, output: number, status: string) {
  return {
    id: `resp_synth_${id}`,
    object: 'response',
    created_at: 0,
    status,
    model,
    output:
      status === 'completed'
        ? [
            {
              type: 'message',
              id: `msg_synth_${id}`,
              status: 'completed',
              role: 'assistant',
              content: [{ type: 'output_text', text: SYNTHETIC_TEXT, annotations: [] }],
            },
          ]
        : [],
    usage:
      status === 'completed'
        ? { input_tokens: input, output_tokens: output, total_tokens: input + output }
        : null,
  };
}

function responsesEvents(id: string, model: string, input: number, output: number) {
  const item = {
    type: 'message',
    id: `msg_synth_${id}`,
    status: 'in_progress',
    role: 'assistant',
    content: [],
  };
  const part = { type: 'output_text', text: '', annotations: [] };
  const done = { ...part, text: SYNTHETIC_TEXT };
  const list = [
    {
      type: 'response.created',
      response: responsesObject(id, model, input, output, 'in_progress'),
    },
    { type: 'response.output_item.added', output_index: 0, item },
    {
      type: 'response.content_part.added',
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      part,
    },
    {
      type: 'response.output_text.delta',
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      delta: SYNTHETIC_TEXT,
    },
    {
      type: 'response.output_text.done',
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      text: SYNTHETIC_TEXT,
    },
    {
      type: 'response.content_part.done',
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      part: done,
    },
    {
      type: 'response.output_item.done',
      output_index: 0,
      item: { ...item, status: 'completed', content: [done] },
    },
    {
      type: 'response.completed',
      response: responsesObject(id, model, input, output, 'completed'),
    },
  ];
  return list.map((data, n) => ({ event: data.type, data: { ...data, sequence_number: n } }));
}

function chatObject(id: string, model: string, input: number, output: number) {
  return {
    id: `chatcmpl-synth-${id}`,
    object: 'chat.completion',
    created: 0,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: SYNTHETIC_TEXT, refusal: null },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: input, completion_tokens: output, total_tokens: input + output },
  };
}

function chatEvents(id: string, model: string) {
  const chunk = (delta: unknown, finish: string | null) => ({
    data: {
      id: `chatcmpl-synth-${id}`,
      object: 'chat.completion.chunk',
      created: 0,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    },
  });
  return [
    chunk({ role: 'assistant', content: '' }, null),
    chunk({ content: SYNTHETIC_TEXT }, null),
    chunk({}, 'stop'),
  ];
}

function anthropicObject(id: string, model: string, input: number, output: number) {
  return {
    id: `msg_synth_${id}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: SYNTHETIC_TEXT }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: input, output_tokens: output },
  };
}

function anthropicEvents(id: string, model: string, input: number, output: number) {
  const start = { ...anthropicObject(id, model, input, 1), content: [], stop_reason: null };
  const list = [
    { type: 'message_start', message: start },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: SYNTHETIC_TEXT } },
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: output },
    },
    { type: 'message_stop' },
  ];
  return list.map((data) => ({ event: data.type, data }));
}

function geminiChunk(id: string, model: string, text: string, input: number, output: number) {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount: input,
      candidatesTokenCount: output,
      totalTokenCount: input + output,
    },
    modelVersion: model,
    responseId: `synth-${id}`,
  };
}

function vector(id: string): number[] {
  return Array.from({ length: 8 }, (_, i) =>
    Number((Number.parseInt(id.slice(i * 2, i * 2 + 2), 16) / 255).toFixed(6)),
  );
}

function embeddings(body: Body, model: string, tokens: number) {
  const inputs = Array.isArray(body?.input) ? body.input : [body?.input];
  const base64 = body?.encoding_format === 'base64';
  return {
    object: 'list',
    data: inputs.map((input, index) => {
      const v = vector(
        createHash('sha256')
          .update(JSON.stringify(input ?? ''))
          .digest('hex'),
      );
      return {
        object: 'embedding',
        index,
        embedding: base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v,
      };
    }),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
