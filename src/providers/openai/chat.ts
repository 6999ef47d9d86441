/**
 * OpenAI Chat Completions. Streams are `chat.completion.chunk` objects ending with `data: [DONE]`;
 * tool-call arguments arrive as string fragments keyed by `tool_calls[].index`, assembled the way
 * openai-node's ChatCompletionStream does (last non-empty name wins, arguments concatenate).
 * Only choice 0 is assembled: `n > 1` is rare and its other choices stay in the events.
 */
import type { Diagnostic, ToolCall } from '../../cassette/schema.ts';
import { type Assembler, incompleteToolCall, toAssembled } from '../assembler.ts';
import { arr, isRecord, type JsonRecord, num, parseArguments, str } from '../util.ts';

function toolCallOf(call: JsonRecord): ToolCall {
  const type = str(call.type) ?? 'function';
  const fn = isRecord(call.function) ? call.function : {};
  const custom = isRecord(call.custom) ? call.custom : undefined;
  return custom
    ? {
        id: str(call.id) ?? null,
        name: str(custom.name) ?? '',
        arguments: str(custom.input) ?? '',
        kind: type,
      }
    : {
        id: str(call.id) ?? null,
        name: str(fn.name) ?? '',
        arguments: parseArguments(str(fn.arguments) ?? ''),
        kind: type,
      };
}

function choiceZero(body: JsonRecord): JsonRecord | undefined {
  return arr(body.choices).find((c) => isRecord(c) && (num(c.index) ?? 0) === 0) as
    | JsonRecord
    | undefined;
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  return arr(content)
    .map((p) => (isRecord(p) && p.type === 'text' ? (str(p.text) ?? '') : ''))
    .join('');
}

function thinkingText(content: unknown[]): string {
  return content
    .map((p) => (isRecord(p) && p.type === 'thinking' ? messageText(p.thinking) : ''))
    .join('');
}

export function assembleChatBody(body: unknown) {
  if (!isRecord(body)) return undefined;
  const choice = choiceZero(body);
  const message = isRecord(choice?.message) ? choice.message : {};
  return toAssembled({
    text: messageText(message.content),
    reasoning: str(message.reasoning_content) ?? str(message.reasoning) ?? '',
    tool_calls: arr(message.tool_calls).filter(isRecord).map(toolCallOf),
    usage: isRecord(body.usage) ? body.usage : null,
    stop_reason: str(choice?.finish_reason) ?? null,
    response_id: str(body.id) ?? null,
    model: str(body.model) ?? null,
  });
}

export function createChatAssembler(): Assembler {
  let text = '';
  let reasoning = '';
  const calls: JsonRecord[] = [];
  let usage: JsonRecord | null = null;
  let finish: string | null = null;
  let id: string | null = null;
  let model: string | null = null;
  let sawDone = false;
  let error = false;
  const diagnostics: Diagnostic[] = [];

  function addToolFragment(fragment: JsonRecord): void {
    const index = num(fragment.index) ?? calls.length;
    calls[index] ??= { id: null, type: 'function', function: { name: '', arguments: '' } };
    const call = calls[index];
    if (str(fragment.id)) call.id = fragment.id;
    if (str(fragment.type)) call.type = fragment.type;
    const fn = isRecord(fragment.function) ? fragment.function : {};
    const target = call.function as JsonRecord;
    if (str(fn.name)) target.name = fn.name;
    if (str(fn.arguments)) target.arguments = (str(target.arguments) ?? '') + fn.arguments;
  }

  return {
    get done() {
      return sawDone || error;
    },
    add(data) {
      if (data === '[DONE]') {
        sawDone = true;
        return;
      }
      if (!isRecord(data)) return;
      if (isRecord(data.error)) {
        error = true;
        diagnostics.push({
          message: `provider reported an error: ${str(data.error.message) ?? 'no message'}`,
        });
        return;
      }
      id ??= str(data.id) ?? null;
      model ??= str(data.model) ?? null;
      if (isRecord(data.usage)) usage = data.usage;
      const choice = choiceZero(data);
      if (!choice) return;
      const delta = isRecord(choice.delta) ? choice.delta : {};
      if (typeof delta.content === 'string') text += delta.content;
      // Mistral's typed content parts (`text`, `thinking` holding text parts) in stream deltas.
      else if (Array.isArray(delta.content)) {
        text += messageText(delta.content);
        reasoning += thinkingText(delta.content);
      }
      const thought = str(delta.reasoning_content) ?? str(delta.reasoning);
      if (thought) reasoning += thought;
      for (const fragment of arr(delta.tool_calls))
        if (isRecord(fragment)) addToolFragment(fragment);
      if (str(choice.finish_reason)) finish = choice.finish_reason as string;
    },
    finish(aborted) {
      const state = error
        ? 'error'
        : sawDone || (finish !== null && !aborted)
          ? 'completed'
          : 'interrupted';
      // Arguments are only known to be whole once the choice finished.
      const complete = finish !== null || sawDone;
      const all = calls.filter(isRecord).map(toolCallOf);
      const tool_calls = complete ? all : [];
      const notes = complete ? [] : all.map(incompleteToolCall);
      return {
        state,
        assembled: toAssembled({
          text,
          reasoning,
          tool_calls,
          usage,
          stop_reason: finish,
          response_id: id,
          model,
        }),
        diagnostics: [...diagnostics, ...notes],
      };
    },
  };
}
