/** Synthetic Anthropic answers: Messages (JSON and SSE), token counts, models, the probe. */
import type { ModelResponse } from '../../cassette/schema.ts';
import type { SyntheticInput } from '../module.ts';
import { SYNTHETIC_TEXT, syntheticEvents, syntheticJson } from '../synthetic.ts';

export function anthropicSynthetic(input: SyntheticInput): ModelResponse | null {
  const { route, id, model, inputTokens: tokens, outputTokens: out } = input;
  switch (route.endpoint) {
    case 'messages':
      return route.stream
        ? syntheticEvents('sse', anthropicEvents(id, model, tokens, out), { named: true })
        : syntheticJson(anthropicObject(id, model, tokens, out));
    case 'messages.count_tokens':
      return syntheticJson({ input_tokens: tokens });
    case 'models':
      return syntheticJson({
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
    case 'probe':
      return { ...syntheticJson(null), body: undefined };
    default:
      return null;
  }
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
