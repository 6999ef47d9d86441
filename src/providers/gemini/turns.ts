/** Gemini generateContent: `systemInstruction`, then `contents[]` of parts (user / model). */

import { push } from '../turn-parts.ts';
import type { RenderTurns, Turn, TurnPart } from '../turns.ts';
import { arr, isRecord, str } from '../util.ts';

function parts(content: unknown): TurnPart[] {
  const out: TurnPart[] = [];
  for (const part of arr(isRecord(content) ? content.parts : undefined)) {
    if (!isRecord(part)) continue;
    if (typeof part.text === 'string') {
      out.push(
        part.thought === true
          ? { kind: 'reasoning', text: part.text }
          : { kind: 'text', text: part.text },
      );
    } else if (isRecord(part.functionCall)) {
      const call = part.functionCall;
      out.push({
        kind: 'tool_call',
        id: str(call.id) ?? null,
        name: str(call.name) ?? 'tool',
        arguments: call.args ?? null,
      });
    } else if (isRecord(part.functionResponse)) {
      const response = part.functionResponse;
      out.push({
        kind: 'tool_result',
        id: str(response.id) ?? null,
        name: str(response.name) ?? null,
        output: response.response ?? null,
      });
    } else {
      out.push({ kind: 'data', label: Object.keys(part)[0] ?? 'part', value: part });
    }
  }
  return out;
}

export const geminiTurns: RenderTurns = (body) => {
  const turns: Turn[] = [];
  if (!isRecord(body)) return turns;
  push(turns, 'system', parts(body.systemInstruction ?? body.system_instruction));
  for (const content of arr(body.contents)) {
    if (!isRecord(content)) continue;
    const all = parts(content);
    if (content.role === 'model') {
      push(turns, 'assistant', all);
      continue;
    }
    push(
      turns,
      'tool',
      all.filter((p) => p.kind === 'tool_result'),
    );
    push(
      turns,
      'user',
      all.filter((p) => p.kind !== 'tool_result'),
    );
  }
  return turns;
};
