/**
 * Tool results carried back in a request. Clients resend the whole conversation each turn, so
 * only the results after the model's last turn are new: those are the ones that become
 * `tool.response` steps (older ones were recorded with the request that first carried them).
 */
import type { RouteInfo } from './types.ts';
import { arr, isRecord, type JsonRecord, str } from './util.ts';

export interface ToolResult {
  call_id: string | null;
  name: string | null;
  kind: string;
  output: unknown;
  is_error?: boolean;
}

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

function responsesResults(body: JsonRecord): ToolResult[] {
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

function chatResults(body: JsonRecord): ToolResult[] {
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

function anthropicResults(body: JsonRecord): ToolResult[] {
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

function geminiResults(body: JsonRecord): ToolResult[] {
  const last = arr(body.contents).filter(isRecord).at(-1);
  if (!last || last.role === 'model') return [];
  return arr(last.parts)
    .filter((p): p is JsonRecord => isRecord(p) && isRecord(p.functionResponse))
    .map((part) => {
      const response = part.functionResponse as JsonRecord;
      return {
        call_id: str(response.id) ?? null,
        name: str(response.name) ?? null,
        kind: 'functionResponse',
        output: response.response ?? null,
      };
    });
}

export function toolResultsOf(route: RouteInfo, body: unknown): ToolResult[] {
  if (!isRecord(body)) return [];
  if (route.endpoint === 'responses') return responsesResults(body);
  if (route.endpoint === 'chat.completions') return chatResults(body);
  if (route.endpoint === 'messages') return anthropicResults(body);
  if (route.endpoint === 'generateContent' || route.endpoint === 'streamGenerateContent') {
    return geminiResults(body);
  }
  return [];
}
