/** Anthropic's own answers to a rate limit, a server error and an overload (shared/FACTS.md "Errors"). */
import type { ErrorStatus, StatusErrorAnswer } from '../module.ts';

const ERRORS: Record<ErrorStatus, { type: string; message: string }> = {
  429: {
    type: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  503: { type: 'overloaded_error', message: 'Overloaded' },
};

export function anthropicStatusError(status: ErrorStatus, requestId: string): StatusErrorAnswer {
  return {
    body: { type: 'error', error: ERRORS[status], request_id: requestId },
    headers: [['request-id', requestId]],
  };
}
