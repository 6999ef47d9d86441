/** Tool results an Ollama chat request carries back: `role: "tool"` messages after the last assistant turn. */
import type { ToolResult } from '../tools.ts';
import { arr, isRecord, type JsonRecord, str } from '../util.ts';

export function ollamaResults(body: JsonRecord): ToolResult[] {
  const messages = arr(body.messages).filter(isRecord);
  let start = messages.length;
  while (start > 0 && messages[start - 1]?.role === 'tool') start--;
  const last = messages[start - 1];
  // The assistant's calls, in order: a result without a name takes the name of its call.
  const calls = arr(isRecord(last) ? last.tool_calls : undefined).filter(isRecord);
  return messages.slice(start).map((message, i) => {
    const call = calls[i];
    const fn = isRecord(call?.function) ? call.function : {};
    return {
      call_id: str(message.tool_call_id) ?? str(call?.id) ?? null,
      name: str(message.tool_name) ?? str(fn.name) ?? null,
      kind: 'tool',
      output: message.content ?? null,
    };
  });
}
