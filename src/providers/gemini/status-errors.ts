/** Gemini's (and Vertex's) own answers to a rate limit, a server error and an overload. */
import type { ErrorStatus, StatusErrorAnswer } from '../module.ts';

const ERRORS: Record<ErrorStatus, { status: string; message: string }> = {
  429: { status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' },
  500: {
    status: 'INTERNAL',
    message:
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
};

export function geminiStatusError(status: ErrorStatus, _requestId: string): StatusErrorAnswer {
  return { body: { error: { code: status, ...ERRORS[status] } }, headers: [] };
}
