/** Ollama's answers when it is busy or fails: one `error` string, as the server sends it. */
import type { ErrorStatus, StatusErrorAnswer } from '../module.ts';

const MESSAGES: Record<ErrorStatus, string> = {
  429: 'too many requests',
  500: 'an error was encountered while running the model',
  503: 'server busy, please try again.  maximum pending requests exceeded',
};

export function ollamaStatusError(status: ErrorStatus, _requestId: string): StatusErrorAnswer {
  return { body: { error: MESSAGES[status] }, headers: [] };
}
