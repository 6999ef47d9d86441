/**
 * The error answers chaos replay serves for `status` (issue 20): each provider's own body for the
 * status, as its API sends it (shared/FACTS.md "Errors"), with `retry-after`, so the SDK's retry
 * logic reads what it reads in production. Not providers/error-body.ts: that one carries
 * ReplayKit's own message, and these must look like the provider's.
 */
import type { Served } from './serve.ts';

export type ChaosStatus = 429 | 500 | 503;
export const CHAOS_STATUSES: readonly ChaosStatus[] = [429, 500, 503];

const OPENAI: Record<ChaosStatus, { message: string; type: string; code: string | null }> = {
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

const ANTHROPIC: Record<ChaosStatus, { type: string; message: string }> = {
  429: {
    type: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  503: { type: 'overloaded_error', message: 'Overloaded' },
};

const GEMINI: Record<ChaosStatus, { status: string; message: string }> = {
  429: { status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' },
  500: {
    status: 'INTERNAL',
    message:
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
};

/** `retryAfter` in whole seconds, as the providers send it. */
export function chaosError(
  provider: string,
  status: ChaosStatus,
  requestId: string,
  retryAfter: number,
): Served {
  const headers: [string, string][] = [
    ['content-type', 'application/json'],
    ['retry-after', String(retryAfter)],
  ];
  let body: unknown;
  if (provider === 'anthropic') {
    body = { type: 'error', error: ANTHROPIC[status], request_id: requestId };
    headers.push(['request-id', requestId]);
  } else if (provider === 'gemini' || provider === 'vertex') {
    body = { error: { code: status, ...GEMINI[status] } };
  } else {
    const { message, type, code } = OPENAI[status];
    body = { error: { message, type, param: null, code } };
    headers.push(['x-request-id', requestId]);
  }
  return { status, headers, chunks: [Buffer.from(JSON.stringify(body, null, 2))] };
}
