/**
 * A request's conversation as turns, rendered by its provider's module (issue 16: "a module
 * renders its own conversation turns"). A module without `turns` (a newer provider) still gets
 * turns when its endpoint speaks a known wire format (an OpenAI-compatible `chat.completions`),
 * else its body is shown as one JSON part: every provider renders something readable.
 */
import { anthropicTurns } from '../providers/anthropic/turns.ts';
import { geminiTurns } from '../providers/gemini/turns.ts';
import { openaiChatTurns } from '../providers/openai/chat-turns.ts';
import { openaiResponsesTurns } from '../providers/openai/responses-turns.ts';
import { providerModule } from '../providers/registry.ts';
import type { RenderTurns, Turn } from '../providers/turns.ts';

export type { Turn, TurnPart, TurnRole } from '../providers/turns.ts';

const BY_ENDPOINT: Record<string, RenderTurns> = {
  'chat.completions': openaiChatTurns,
  responses: openaiResponsesTurns,
  messages: anthropicTurns,
  generateContent: geminiTurns,
  streamGenerateContent: geminiTurns,
};

export function turnsOf(provider: string, endpoint: string, body: unknown): Turn[] {
  try {
    const module = providerModule(provider);
    const turns = module?.turns ? module.turns(endpoint, body) : BY_ENDPOINT[endpoint]?.(body);
    if (turns && turns.length > 0) return turns;
  } catch {
    // A renderer meeting a shape it never saw must not cost the page: show the body instead.
  }
  if (body === undefined || body === null) return [];
  return [{ role: 'user', parts: [{ kind: 'data', label: 'body', value: body }] }];
}
