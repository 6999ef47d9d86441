/** Dispatch from a route to its provider's assembler and JSON-body assembly. */
import type { Assembled, StreamEvent, StreamState } from '../cassette/schema.ts';
import { assembleAnthropicBody, createAnthropicAssembler } from './anthropic.ts';
import { type Assembler, type AssemblyResult, toAssembled } from './assembler.ts';
import { assembleGeminiBody, createGeminiAssembler } from './gemini.ts';
import { assembleChatBody, createChatAssembler } from './openai-chat.ts';
import { assembleResponsesBody, createResponsesAssembler } from './openai-responses.ts';
import type { RouteInfo } from './types.ts';

export function createAssembler(route: RouteInfo): Assembler {
  if (route.provider === 'anthropic') return createAnthropicAssembler();
  if (route.provider === 'gemini') return createGeminiAssembler();
  if (route.endpoint === 'chat.completions') return createChatAssembler();
  if (route.endpoint === 'responses') return createResponsesAssembler();
  return passthroughAssembler();
}

/** Routes that never stream (models, embeddings...) still get a capture that keeps their events. */
function passthroughAssembler(): Assembler {
  return {
    done: false,
    add() {},
    finish(aborted) {
      const assembled = toAssembled({ text: '', reasoning: '', tool_calls: [] });
      return { state: aborted ? 'interrupted' : 'completed', assembled, diagnostics: [] };
    },
  };
}

/** The assembled result of a non-streamed JSON body, for the routes that produce model output. */
export function assembleBody(route: RouteInfo, body: unknown): Assembled | undefined {
  switch (route.endpoint) {
    case 'responses':
    case 'responses.compact':
      return assembleResponsesBody(body);
    case 'chat.completions':
      return assembleChatBody(body);
    case 'messages':
      return assembleAnthropicBody(body);
    case 'generateContent':
    case 'streamGenerateContent':
      return assembleGeminiBody(body);
    default:
      return undefined;
  }
}

/** Re-run assembly over recorded events (a stored stream, or a replay). */
export function assembleEvents(
  route: RouteInfo,
  events: readonly StreamEvent[],
  state?: StreamState,
): AssemblyResult {
  const assembler = createAssembler(route);
  events.forEach((ev, index) => {
    assembler.add(ev.data, ev.event, index);
  });
  return assembler.finish(state === 'interrupted');
}
