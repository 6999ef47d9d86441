/** OpenAI's own answers to a rate limit, a server error and an overload (shared/FACTS.md "Errors"). */
import type { ErrorStatus, StatusErrorAnswer } from '../module.ts';

const BODIES: Record<ErrorStatus, { message: string; type: string; code: string | null }> = {
  429: {
    message: 'Rate limit reached for requests. Please try again in 1s.',
    type: 'requests',
    code: 'rate_limit_exceeded',
  },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: null,
  },
  503: {
    message: 'The engine is currently overloaded, please try again later',
    type: 'server_error',
    code: null,
  },
};

export function openaiStatusError(status: ErrorStatus, requestId: string): StatusErrorAnswer {
  const { message, type, code } = BODIES[status];
  return {
    body: { error: { message, type, param: null, code } },
    headers: [['x-request-id', requestId]],
  };
}
