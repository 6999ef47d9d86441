/**
 * Ollama request bodies as turns: `/api/chat` sends OpenAI-style `messages` (tool call arguments
 * as objects), `/api/generate` a `system` and a `prompt`.
 */
import { openaiChatTurns } from '../openai/chat-turns.ts';
import { push } from '../turn-parts.ts';
import type { Turn } from '../turns.ts';
import { isRecord, str } from '../util.ts';

export function ollamaTurns(endpoint: string, body: unknown): Turn[] {
  if (endpoint === 'chat') return openaiChatTurns(body);
  const turns: Turn[] = [];
  if (endpoint !== 'generate' || !isRecord(body)) return turns;
  const system = str(body.system);
  const prompt = str(body.prompt);
  if (system) push(turns, 'system', [{ kind: 'text', text: system }]);
  if (prompt) push(turns, 'user', [{ kind: 'text', text: prompt }]);
  return turns;
}
