/**
 * Which renderer reads which endpoint. Once the provider modules (issue 16) carry their own
 * `turns`, this table gives way to the registry; endpoints no module renders fall back to the
 * body as one `data` part, so a new provider still shows something readable.
 */
import { anthropicTurns } from './anthropic.ts';
import { geminiTurns } from './gemini.ts';
import { openaiChatTurns } from './openai-chat.ts';
import { openaiResponsesTurns } from './openai-responses.ts';
import type { RenderTurns, Turn } from './types.ts';

export type { RenderTurns, Turn, TurnPart, TurnRole } from './types.ts';

const BY_ENDPOINT: Record<string, RenderTurns> = {
  'chat.completions': openaiChatTurns,
  responses: openaiResponsesTurns,
  messages: anthropicTurns,
  'messages.count_tokens': anthropicTurns,
  generateContent: geminiTurns,
  streamGenerateContent: geminiTurns,
  countTokens: geminiTurns,
};

export function turnsOf(endpoint: string, body: unknown): Turn[] {
  const render = BY_ENDPOINT[endpoint];
  if (render) {
    try {
      return render(body);
    } catch {
      // A renderer meeting a shape it never saw must not cost the page: show the body instead.
    }
  }
  if (body === undefined || body === null) return [];
  return [{ role: 'user', parts: [{ kind: 'data', label: 'body', value: body }] }];
}
