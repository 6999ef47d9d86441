/**
 * Gemini generateContent. A stream is a sequence of whole GenerateContentResponse objects (SSE
 * with `alt=sse`, a JSON array without); there is no terminal event, so a `finishReason` followed
 * by a clean end of stream means completed. `functionCall` parts arrive whole.
 */
import type { ToolCall } from '../cassette/schema.ts';
import { type Assembler, toAssembled } from './assembler.ts';
import { arr, isRecord, type JsonRecord, str } from './util.ts';

interface GeminiState {
  text: string;
  reasoning: string;
  tool_calls: ToolCall[];
  usage: JsonRecord | null;
  stop_reason: string | null;
  response_id: string | null;
  model: string | null;
}

function fold(state: GeminiState, chunk: JsonRecord): void {
  const candidate = arr(chunk.candidates).find((c) => isRecord(c) && (c.index ?? 0) === 0);
  if (isRecord(candidate)) {
    const content = isRecord(candidate.content) ? candidate.content : {};
    for (const part of arr(content.parts)) {
      if (!isRecord(part)) continue;
      if (typeof part.text === 'string') {
        if (part.thought === true) state.reasoning += part.text;
        else state.text += part.text;
      }
      if (isRecord(part.functionCall)) {
        const call = part.functionCall;
        state.tool_calls.push({
          id: str(call.id) ?? null,
          name: str(call.name) ?? '',
          arguments: call.args ?? {},
          kind: 'functionCall',
        });
      }
    }
    if (str(candidate.finishReason)) state.stop_reason = candidate.finishReason as string;
  }
  if (isRecord(chunk.usageMetadata)) state.usage = chunk.usageMetadata;
  state.response_id ??= str(chunk.responseId) ?? null;
  state.model ??= str(chunk.modelVersion) ?? null;
}

function empty(): GeminiState {
  const base = { text: '', reasoning: '', tool_calls: [], usage: null, stop_reason: null };
  return { ...base, response_id: null, model: null };
}

export function assembleGeminiBody(body: unknown) {
  const chunks = Array.isArray(body) ? body : [body];
  if (!chunks.every(isRecord) || chunks.some((c) => isRecord(c) && 'error' in c)) return undefined;
  const state = empty();
  for (const chunk of chunks) fold(state, chunk);
  return toAssembled(state);
}

export function createGeminiAssembler(): Assembler {
  const state = empty();
  let error = false;
  const diagnostics: { message: string }[] = [];
  return {
    // No terminal event: the end of the stream is the signal.
    get done() {
      return error;
    },
    add(data) {
      if (!isRecord(data)) return;
      if (isRecord(data.error)) {
        error = true;
        diagnostics.push({
          message: `provider reported an error: ${str(data.error.message) ?? 'no message'}`,
        });
        return;
      }
      fold(state, data);
    },
    finish(aborted) {
      const completed = state.stop_reason !== null && !aborted;
      return {
        state: error ? 'error' : completed ? 'completed' : 'interrupted',
        assembled: toAssembled(state),
        diagnostics,
      };
    },
  };
}
