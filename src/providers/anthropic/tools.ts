/** Tool results an Anthropic request carries back: `tool_result` blocks of the last user turn. */
import type { ToolResult } from '../tools.ts';
import { arr, isRecord, type JsonRecord, str } from '../util.ts';

export function anthropicResults(body: JsonRecord): ToolResult[] {
  const messages = arr(body.messages).filter(isRecord);
  const names = new Map<string, string>();
  for (const message of messages) {
    for (const block of arr(message.content)) {
      if (isRecord(block) && block.type === 'tool_use' && str(block.id))
        names.set(block.id as string, str(block.name) ?? '');
    }
  }
  const last = messages.at(-1);
  if (last?.role !== 'user') return [];
  return arr(last.content)
    .filter((b): b is JsonRecord => isRecord(b) && b.type === 'tool_result')
    .map((block) => {
      const call_id = str(block.tool_use_id) ?? null;
      const result: ToolResult = {
        call_id,
        name: (call_id && names.get(call_id)) || null,
        kind: 'tool_result',
        output: block.content ?? null,
      };
      if (typeof block.is_error === 'boolean') result.is_error = block.is_error;
      return result;
    });
}
