/** Synthetic Gemini answers: generateContent (JSON, SSE, JSON array), token counts, embeddings. */
import type { ModelResponse } from '../../cassette/schema.ts';
import type { SyntheticInput } from '../module.ts';
import { SYNTHETIC_TEXT, syntheticEvents, syntheticJson, syntheticVector } from '../synthetic.ts';

export function geminiSynthetic(input: SyntheticInput): ModelResponse | null {
  const { route, body, id, model, inputTokens: tokens, outputTokens: out } = input;
  switch (route.endpoint) {
    case 'generateContent':
      return syntheticJson(geminiChunk(id, model, SYNTHETIC_TEXT, tokens, out));
    case 'streamGenerateContent':
      return syntheticEvents(route.streamFormat === 'json-array' ? 'json-array' : 'sse', [
        { data: geminiChunk(id, model, SYNTHETIC_TEXT, tokens, out) },
      ]);
    case 'countTokens':
      return syntheticJson({ totalTokens: tokens });
    case 'embedContent':
      return syntheticJson({ embedding: { values: syntheticVector(id) } });
    case 'batchEmbedContents': {
      const n = Array.isArray(body?.requests) ? body.requests.length : 1;
      return syntheticJson({
        embeddings: Array.from({ length: n }, () => ({ values: syntheticVector(id) })),
      });
    }
    default:
      return null;
  }
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
