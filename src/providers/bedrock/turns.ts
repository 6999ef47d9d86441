/**
 * Bedrock Runtime request bodies as turns: Converse (`system` blocks, `messages` of `text`,
 * `reasoningContent`, `toolUse`, `toolResult` blocks) and InvokeModel, whose body is the model
 * vendor's own (Anthropic Messages for Claude, the common case).
 */
import { anthropicTurns } from '../anthropic/turns.ts';
import { push } from '../turn-parts.ts';
import type { RenderTurns, Turn, TurnPart } from '../turns.ts';
import { arr, isRecord, str } from '../util.ts';

function blocks(content: unknown): TurnPart[] {
  const parts: TurnPart[] = [];
  for (const block of arr(content)) {
    if (!isRecord(block)) continue;
    if (typeof block.text === 'string') parts.push({ kind: 'text', text: block.text });
    else if (isRecord(block.reasoningContent)) {
      const text = isRecord(block.reasoningContent.reasoningText)
        ? str(block.reasoningContent.reasoningText.text)
        : undefined;
      parts.push({ kind: 'reasoning', text: text ?? '' });
    } else if (isRecord(block.toolUse)) {
      const use = block.toolUse;
      parts.push({
        kind: 'tool_call',
        id: str(use.toolUseId) ?? null,
        name: str(use.name) ?? 'tool',
        arguments: use.input ?? null,
      });
    } else if (isRecord(block.toolResult)) {
      const result = block.toolResult;
      const part: TurnPart = {
        kind: 'tool_result',
        id: str(result.toolUseId) ?? null,
        name: null,
        output: result.content ?? null,
      };
      if (result.status === 'error') part.is_error = true;
      parts.push(part);
    } else parts.push({ kind: 'data', label: Object.keys(block)[0] ?? 'block', value: block });
  }
  return parts;
}

export const converseTurns: RenderTurns = (body) => {
  const turns: Turn[] = [];
  if (!isRecord(body)) return turns;
  push(turns, 'system', blocks(body.system));
  for (const message of arr(body.messages)) {
    if (!isRecord(message)) continue;
    const parts = blocks(message.content);
    if (message.role === 'assistant') {
      push(turns, 'assistant', parts);
      continue;
    }
    push(
      turns,
      'tool',
      parts.filter((p) => p.kind === 'tool_result'),
    );
    push(
      turns,
      'user',
      parts.filter((p) => p.kind !== 'tool_result'),
    );
  }
  return turns;
};

export function bedrockTurns(endpoint: string, body: unknown): Turn[] {
  if (endpoint.startsWith('converse')) return converseTurns(body);
  // InvokeModel carries the vendor's body: Anthropic Messages is the one with `messages` here.
  return isRecord(body) && Array.isArray(body.messages) ? anthropicTurns(body) : [];
}
