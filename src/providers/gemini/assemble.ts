/**
 * Gemini generateContent. A stream is a sequence of whole GenerateContentResponse objects (SSE
 * with `alt=sse`, a JSON array without); there is no terminal event, so a `finishReason` followed
 * by a clean end of stream means completed. `functionCall` parts arrive whole, or (Gemini 3 /
 * Vertex) streamed: see partial-args.ts.
 */
import type { ToolCall } from '../../cassette/schema.ts';
import { type Assembler, toAssembled } from '../assembler.ts';
import { arr, isRecord, type JsonRecord, str } from '../util.ts';
import { applyPartialArgs } from './partial-args.ts';

interface GeminiState {
  text: string;
  reasoning: string;
  tool_calls: ToolCall[];
  usage: JsonRecord | null;
  stop_reason: string | null;
  response_id: string | null;
  model: string | null;
  /** The streamed call still being continued (`willContinue`), if any. */
  open: ToolCall | null;
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
      if (isRecord(part.functionCall)) functionCall(state, part.functionCall);
    }
    if (str(candidate.finishReason)) state.stop_reason = candidate.finishReason as string;
  }
  if (isRecord(chunk.usageMetadata)) state.usage = chunk.usageMetadata;
  state.response_id ??= str(chunk.responseId) ?? null;
  state.model ??= str(chunk.modelVersion) ?? null;
}

function functionCall(state: GeminiState, call: JsonRecord): void {
  const name = str(call.name);
  // A named part opens a call (streamed when `willContinue`); an unnamed one continues the open
  // call, and one without `willContinue` closes it.
  if (name !== undefined || !state.open) {
    const opened: ToolCall = {
      id: str(call.id) ?? null,
      name: name ?? '',
      arguments: isRecord(call.args) ? structuredClone(call.args) : (call.args ?? {}),
      kind: 'functionCall',
    };
    state.tool_calls.push(opened);
    state.open = call.willContinue === true ? opened : null;
    if (state.open && 'partialArgs' in call) applyPartialArgs(args(opened), call.partialArgs);
    return;
  }
  const open = state.open;
  if (open.id === null && str(call.id)) open.id = str(call.id) ?? null;
  if (isRecord(call.args)) Object.assign(args(open), call.args);
  applyPartialArgs(args(open), call.partialArgs);
  if (call.willContinue !== true) state.open = null;
}

function args(call: ToolCall): JsonRecord {
  if (!isRecord(call.arguments)) call.arguments = {};
  return call.arguments as JsonRecord;
}

function empty(): GeminiState {
  const base = { text: '', reasoning: '', tool_calls: [], usage: null, stop_reason: null };
  return { ...base, response_id: null, model: null, open: null };
}

function parts({ open: _open, ...rest }: GeminiState) {
  return rest;
}

export function assembleGeminiBody(body: unknown) {
  const chunks = Array.isArray(body) ? body : [body];
  if (!chunks.every(isRecord) || chunks.some((c) => isRecord(c) && 'error' in c)) return undefined;
  const state = empty();
  for (const chunk of chunks) fold(state, chunk);
  return toAssembled(parts(state));
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
        assembled: toAssembled(parts(state)),
        diagnostics,
      };
    },
  };
}
