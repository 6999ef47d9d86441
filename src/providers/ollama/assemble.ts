/**
 * Ollama: a chat or generate answer is one JSON object, or an NDJSON stream of partial objects
 * (`message.content` / `response` pieces, `thinking`, whole `tool_calls`), the last with
 * `done: true`, `done_reason` and the counts. A line `{"error": ...}` ends a failed stream.
 */
import type { ToolCall } from '../../cassette/schema.ts';
import { type Assembler, toAssembled } from '../assembler.ts';
import { arr, isRecord, type JsonRecord, num, str } from '../util.ts';

interface Parts {
  text: string;
  reasoning: string;
  tool_calls: ToolCall[];
  usage: Record<string, unknown> | null;
  stop_reason: string | null;
  model: string | null;
}

function fold(parts: Parts, data: JsonRecord): void {
  const message = isRecord(data.message) ? data.message : data;
  parts.text += str(message.content) ?? str(data.response) ?? '';
  parts.reasoning += str(message.thinking) ?? '';
  for (const call of arr(message.tool_calls)) {
    if (!isRecord(call) || !isRecord(call.function)) continue;
    parts.tool_calls.push({
      id: str(call.id) ?? null,
      name: str(call.function.name) ?? '',
      arguments: call.function.arguments ?? {},
      kind: 'function',
    });
  }
  parts.model = str(data.model) ?? parts.model;
  if (data.done === true) {
    parts.stop_reason = str(data.done_reason) ?? null;
    const input = num(data.prompt_eval_count);
    const output = num(data.eval_count);
    if (input !== undefined || output !== undefined) {
      parts.usage = { prompt_eval_count: input ?? null, eval_count: output ?? null };
    }
  }
}

const empty = (): Parts => ({
  text: '',
  reasoning: '',
  tool_calls: [],
  usage: null,
  stop_reason: null,
  model: null,
});

export function assembleOllamaBody(body: unknown) {
  if (!isRecord(body) || 'error' in body) return undefined;
  const parts = empty();
  fold(parts, body);
  return toAssembled(parts);
}

export function createOllamaAssembler(): Assembler {
  const parts = empty();
  let state: 'completed' | 'error' | null = null;
  let failure: string | null = null;
  return {
    get done() {
      return state !== null;
    },
    add(data) {
      if (!isRecord(data)) return;
      if (data.error !== undefined) {
        state = 'error';
        failure = typeof data.error === 'string' ? data.error : JSON.stringify(data.error);
        return;
      }
      fold(parts, data);
      if (data.done === true) state ??= 'completed';
    },
    finish() {
      const diagnostics = failure
        ? [{ message: `the stream ended with an error: ${failure}` }]
        : [];
      return {
        state: state ?? 'interrupted',
        assembled: toAssembled(parts),
        diagnostics,
      };
    },
  };
}
