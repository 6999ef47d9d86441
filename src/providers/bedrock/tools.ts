/**
 * Tool results a Bedrock request carries back: Converse `toolResult` blocks of the last user
 * turn; InvokeModel with an Anthropic body, its `tool_result` blocks.
 */
import { anthropicResults } from '../anthropic/tools.ts';
import type { RouteInfo } from '../module.ts';
import type { ToolResult } from '../tools.ts';
import { arr, isRecord, type JsonRecord, str } from '../util.ts';

function converseResults(body: JsonRecord): ToolResult[] {
  const messages = arr(body.messages).filter(isRecord);
  const names = new Map<string, string>();
  for (const message of messages) {
    for (const block of arr(message.content)) {
      const use = isRecord(block) ? block.toolUse : undefined;
      if (isRecord(use) && str(use.toolUseId)) {
        names.set(use.toolUseId as string, str(use.name) ?? '');
      }
    }
  }
  const last = messages.at(-1);
  if (last?.role !== 'user') return [];
  return arr(last.content).flatMap((block): ToolResult[] => {
    const result = isRecord(block) ? block.toolResult : undefined;
    if (!isRecord(result)) return [];
    const call_id = str(result.toolUseId) ?? null;
    const out: ToolResult = {
      call_id,
      name: (call_id && names.get(call_id)) || null,
      kind: 'toolResult',
      output: result.content ?? null,
    };
    if (result.status === 'error') out.is_error = true;
    return [out];
  });
}

export function bedrockResults(route: RouteInfo, body: JsonRecord): ToolResult[] {
  if (route.endpoint.startsWith('converse')) return converseResults(body);
  return anthropicResults(body);
}
