/** Synthetic Ollama answers: chat and generate (JSON, or an NDJSON stream of one piece and the end). */
import type { ModelResponse } from '../../cassette/schema.ts';
import type { SyntheticInput } from '../module.ts';
import { SYNTHETIC_TEXT, syntheticEvents, syntheticJson, vectorOf } from '../synthetic.ts';

const CREATED_AT = '1970-01-01T00:00:00Z';

export function ollamaSynthetic(input: SyntheticInput): ModelResponse | null {
  const { route, model, inputTokens, outputTokens, body } = input;
  const chat = route.endpoint === 'chat';
  if (route.endpoint === 'embed' || route.endpoint === 'embeddings') {
    return syntheticJson({ model, embeddings: [vectorOf(body?.input ?? body?.prompt)] });
  }
  if (!chat && route.endpoint !== 'generate') return null;
  const piece = (text: string) =>
    chat ? { message: { role: 'assistant', content: text } } : { response: text };
  const end = {
    model,
    created_at: CREATED_AT,
    ...piece(''),
    done: true,
    done_reason: 'stop',
    prompt_eval_count: inputTokens,
    eval_count: outputTokens,
  };
  if (!route.stream) return syntheticJson({ ...end, ...piece(SYNTHETIC_TEXT) });
  return syntheticEvents('ndjson', [
    { data: { model, created_at: CREATED_AT, ...piece(SYNTHETIC_TEXT), done: false } },
    { data: end },
  ]);
}
