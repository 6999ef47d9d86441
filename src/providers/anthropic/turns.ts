/** Anthropic Messages: `system` (text or blocks), then `messages[]` of content blocks. */

import { push } from '../turn-parts.ts';
import type { RenderTurns, Turn, TurnPart } from '../turns.ts';
import { arr, isRecord, str } from '../util.ts';

function blocks(content: unknown): TurnPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ kind: 'text', text: content }];
  const parts: TurnPart[] = [];
  for (const block of arr(content)) {
    if (!isRecord(block)) continue;
    switch (block.type) {
      case 'text':
        parts.push({ kind: 'text', text: str(block.text) ?? '' });
        break;
      case 'thinking':
        parts.push({ kind: 'reasoning', text: str(block.thinking) ?? '' });
        break;
      case 'tool_use':
      case 'server_tool_use':
      case 'mcp_tool_use':
        parts.push({
          kind: 'tool_call',
          id: str(block.id) ?? null,
          name: str(block.name) ?? 'tool',
          arguments: block.input ?? null,
        });
        break;
      case 'tool_result':
      case 'mcp_tool_result': {
        const part: TurnPart = {
          kind: 'tool_result',
          id: str(block.tool_use_id) ?? null,
          name: null,
          output: block.content ?? null,
        };
        if (typeof block.is_error === 'boolean') part.is_error = block.is_error;
        parts.push(part);
        break;
      }
      default:
        parts.push({ kind: 'data', label: str(block.type) ?? 'block', value: block });
    }
  }
  return parts;
}

export const anthropicTurns: RenderTurns = (body) => {
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
    // A user message that only carries tool results is the tools speaking, not the person.
    const results = parts.filter((p) => p.kind === 'tool_result');
    const rest = parts.filter((p) => p.kind !== 'tool_result');
    push(turns, 'tool', results);
    push(turns, 'user', rest);
  }
  return turns;
};
