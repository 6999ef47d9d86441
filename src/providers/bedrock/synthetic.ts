/** Synthetic Bedrock answers: Converse (JSON and event stream) and InvokeModel with an Anthropic body. */
import type { ModelResponse } from '../../cassette/schema.ts';
import type { SyntheticInput } from '../module.ts';
import { SYNTHETIC_TEXT, syntheticEvents, syntheticJson } from '../synthetic.ts';

export function bedrockSynthetic(input: SyntheticInput): ModelResponse | null {
  const { route, model, id, inputTokens, outputTokens } = input;
  const usage = {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
  };
  const message = {
    id: `msg_${id}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: SYNTHETIC_TEXT }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: inputTokens, output_tokens: outputTokens },
  };
  const stream = (list: { event: string; data: unknown }[]) => {
    const response = syntheticEvents('eventstream', list);
    const events = response.stream?.events.map((e, i) => ({ ...e, event: list[i]?.event }));
    return {
      ...response,
      headers: { ...response.headers, 'content-type': 'application/vnd.amazon.eventstream' },
      ...(response.stream && events ? { stream: { ...response.stream, events } } : {}),
    } as ModelResponse;
  };
  switch (route.endpoint) {
    case 'converse':
      return syntheticJson({
        output: { message: { role: 'assistant', content: [{ text: SYNTHETIC_TEXT }] } },
        stopReason: 'end_turn',
        usage,
        metrics: { latencyMs: 0 },
      });
    case 'converse-stream':
      return stream([
        { event: 'messageStart', data: { role: 'assistant' } },
        {
          event: 'contentBlockDelta',
          data: { contentBlockIndex: 0, delta: { text: SYNTHETIC_TEXT } },
        },
        { event: 'contentBlockStop', data: { contentBlockIndex: 0 } },
        { event: 'messageStop', data: { stopReason: 'end_turn' } },
        { event: 'metadata', data: { usage, metrics: { latencyMs: 0 } } },
      ]);
    case 'invoke':
      return syntheticJson(message);
    case 'invoke-with-response-stream':
      return stream(
        [
          { type: 'message_start', message: { ...message, content: [] } },
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: SYNTHETIC_TEXT },
          },
          { type: 'content_block_stop', index: 0 },
          {
            type: 'message_delta',
            delta: { stop_reason: 'end_turn' },
            usage: { output_tokens: outputTokens },
          },
          { type: 'message_stop' },
        ].map((inner) => ({ event: 'chunk', data: { bytes: inner } })),
      );
    default:
      return null;
  }
}
