/** Synthetic OpenAI answers: Responses (SSE and WebSocket), Chat Completions, embeddings, models. */
import type { ModelResponse } from '../../cassette/schema.ts';
import type { SyntheticInput } from '../module.ts';
import { SYNTHETIC_TEXT, syntheticEvents, syntheticJson, vectorOf } from '../synthetic.ts';

export function openaiSynthetic(input: SyntheticInput): ModelResponse | null {
  const { route, body, id, model, inputTokens: tokens, outputTokens: out } = input;
  const stream = route.stream;
  switch (route.endpoint) {
    case 'responses':
      return stream
        ? syntheticEvents(
            route.streamFormat === 'websocket' ? 'websocket' : 'sse',
            responsesEvents(id, model, tokens, out),
            { named: true },
          )
        : syntheticJson(responsesObject(id, model, tokens, out, 'completed'));
    case 'chat.completions':
      return stream
        ? syntheticEvents('sse', chatEvents(id, model), { done: true })
        : syntheticJson(chatObject(id, model, tokens, out));
    case 'embeddings':
      return syntheticJson(embeddings(body, model, tokens));
    case 'models':
      return syntheticJson({
        object: 'list',
        data: [{ id: 'synthetic', object: 'model', created: 0, owned_by: 'replaykit' }],
      });
    case 'responses.compact':
      return syntheticJson({ id: `resp_synth_${id}`, object: 'response.compaction', output: [] });
    default:
      return null;
  }
}

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

function embeddings(body: Record<string, unknown> | undefined, model: string, tokens: number) {
  const inputs = Array.isArray(body?.input) ? body.input : [body?.input];
  const base64 = body?.encoding_format === 'base64';
  return {
    object: 'list',
    data: inputs.map((input, index) => {
      const v = vectorOf(input);
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
