/** OpenAI Chat Completions (and the compatible servers): `messages[]` with `tool_calls`. */

import { parsedArguments, push } from '../turn-parts.ts';
import type { RenderTurns, Turn, TurnPart, TurnRole } from '../turns.ts';
import { arr, isRecord, str } from '../util.ts';

function contentParts(content: unknown): TurnPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ kind: 'text', text: content }];
  const parts: TurnPart[] = [];
  for (const part of arr(content)) {
    if (!isRecord(part)) continue;
    const text = str(part.text) ?? str(part.refusal);
    if (text !== undefined) parts.push({ kind: 'text', text });
    else parts.push({ kind: 'data', label: str(part.type) ?? 'part', value: part });
  }
  return parts;
}

export const openaiChatTurns: RenderTurns = (body) => {
  const turns: Turn[] = [];
  if (!isRecord(body)) return turns;
  for (const message of arr(body.messages)) {
    if (!isRecord(message)) continue;
    const role = str(message.role);
    if (role === 'tool') {
      push(turns, 'tool', [
        {
          kind: 'tool_result',
          id: str(message.tool_call_id) ?? null,
          name: str(message.name) ?? null,
          output: message.content ?? null,
        },
      ]);
      continue;
    }
    const parts = contentParts(message.content);
    if (str(message.reasoning_content)) {
      parts.unshift({ kind: 'reasoning', text: message.reasoning_content as string });
    }
    for (const call of arr(message.tool_calls)) {
      if (!isRecord(call)) continue;
      const fn = isRecord(call.function) ? call.function : isRecord(call.custom) ? call.custom : {};
      parts.push({
        kind: 'tool_call',
        id: str(call.id) ?? null,
        name: str(fn.name) ?? 'tool',
        arguments: parsedArguments(fn.arguments ?? fn.input),
      });
    }
    const mapped: TurnRole =
      role === 'system' || role === 'developer'
        ? 'system'
        : role === 'assistant'
          ? 'assistant'
          : 'user';
    push(turns, mapped, parts);
  }
  return turns;
};
