/** Tool results an OpenAI request carries back: Responses input items, Chat `tool` messages. */
import type { ToolResult } from '../tools.ts';
import { arr, isRecord, type JsonRecord, str } from '../util.ts';

const RESPONSES_OUTPUTS = new Set([
  'function_call_output',
  'custom_tool_call_output',
  'local_shell_call_output',
  'shell_call_output',
  'apply_patch_call_output',
  'tool_search_output',
  'computer_call_output',
]);
const RESPONSES_MODEL_ITEMS = new Set([
  'function_call',
  'custom_tool_call',
  'local_shell_call',
  'shell_call',
  'apply_patch_call',
  'tool_search_call',
  'computer_call',
  'reasoning',
]);

export function responsesResults(body: JsonRecord): ToolResult[] {
  const names = new Map<string, string>();
  let results: ToolResult[] = [];
  for (const item of arr(body.input)) {
    if (!isRecord(item)) continue;
    const type = str(item.type) ?? (item.role ? 'message' : '');
    if (RESPONSES_MODEL_ITEMS.has(type) || (type === 'message' && item.role === 'assistant')) {
      if (str(item.call_id))
        names.set(item.call_id as string, str(item.name) ?? type.replace(/_call$/, ''));
      results = [];
    } else if (RESPONSES_OUTPUTS.has(type)) {
      const call_id = str(item.call_id) ?? null;
      results.push({
        call_id,
        name: (call_id && names.get(call_id)) || null,
        kind: type,
        output: item.output ?? item.tools ?? null,
      });
    }
  }
  return results;
}

/** Chat Completions: also what every OpenAI-compatible server speaks. */
export function chatResults(body: JsonRecord): ToolResult[] {
  const names = new Map<string, string>();
  let results: ToolResult[] = [];
  for (const message of arr(body.messages)) {
    if (!isRecord(message)) continue;
    if (message.role === 'assistant') {
      for (const call of arr(message.tool_calls)) {
        if (!isRecord(call) || !str(call.id)) continue;
        const fn = isRecord(call.function)
          ? call.function
          : isRecord(call.custom)
            ? call.custom
            : {};
        names.set(call.id as string, str(fn.name) ?? '');
      }
      results = [];
    } else if (message.role === 'tool') {
      const call_id = str(message.tool_call_id) ?? null;
      const name = str(message.name) ?? (call_id ? names.get(call_id) : undefined) ?? null;
      results.push({ call_id, name, kind: 'tool', output: message.content ?? null });
    }
  }
  return results;
}
