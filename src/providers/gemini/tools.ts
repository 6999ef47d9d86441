/** Tool results a Gemini request carries back: `functionResponse` parts of the last user turn. */
import type { ToolResult } from '../tools.ts';
import { arr, isRecord, type JsonRecord, str } from '../util.ts';

export function geminiResults(body: JsonRecord): ToolResult[] {
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
