/**
 * OpenAI Responses: `instructions`, then `input` (a string, or items: messages, tool calls and
 * their outputs, reasoning). Codex sends this over HTTP and WebSocket alike.
 */

import { parsedArguments, push } from '../turn-parts.ts';
import type { RenderTurns, Turn, TurnPart, TurnRole } from '../turns.ts';
import { arr, isRecord, str } from '../util.ts';

const OUTPUT = /_output$/;
const CALL = /_call$/;

function messageParts(content: unknown): TurnPart[] {
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

function reasoningText(item: Record<string, unknown>): string {
  const texts = [...arr(item.summary), ...arr(item.content)]
    .map((s) => (isRecord(s) ? str(s.text) : undefined))
    .filter((t): t is string => t !== undefined);
  return texts.join('\n');
}

export const openaiResponsesTurns: RenderTurns = (body) => {
  const turns: Turn[] = [];
  if (!isRecord(body)) return turns;
  if (str(body.instructions))
    push(turns, 'system', [{ kind: 'text', text: body.instructions as string }]);
  if (typeof body.input === 'string') {
    push(turns, 'user', [{ kind: 'text', text: body.input }]);
    return turns;
  }
  for (const item of arr(body.input)) {
    if (!isRecord(item)) continue;
    const type = str(item.type) ?? (item.role ? 'message' : 'item');
    if (type === 'message') {
      const role = str(item.role);
      const mapped: TurnRole =
        role === 'system' || role === 'developer'
          ? 'system'
          : role === 'assistant'
            ? 'assistant'
            : 'user';
      push(turns, mapped, messageParts(item.content));
    } else if (type === 'reasoning') {
      const text = reasoningText(item);
      push(turns, 'assistant', text ? [{ kind: 'reasoning', text }] : []);
    } else if (OUTPUT.test(type)) {
      push(turns, 'tool', [
        {
          kind: 'tool_result',
          id: str(item.call_id) ?? null,
          name: null,
          output: item.output ?? item.tools ?? null,
        },
      ]);
    } else if (CALL.test(type)) {
      push(turns, 'assistant', [
        {
          kind: 'tool_call',
          id: str(item.call_id) ?? null,
          name: str(item.name) ?? type.replace(CALL, ''),
          arguments: parsedArguments(item.arguments ?? item.input ?? item.action ?? null),
        },
      ]);
    } else {
      push(turns, 'user', [{ kind: 'data', label: type, value: item }]);
    }
  }
  return turns;
};
