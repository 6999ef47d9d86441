/**
 * The error answers chaos replay serves for `status` (issue 20): each provider's own body and
 * headers for the status, from its module (`statusError`), with `retry-after`, so the SDK's retry
 * logic reads what it reads in production. Not the modules' `errorBody`: that one carries
 * ReplayKit's own message, and these must look like the provider's.
 */
import type { ErrorStatus } from '../providers/module.ts';
import { providerModule } from '../providers/registry.ts';
import type { Served } from './serve.ts';

export type ChaosStatus = ErrorStatus;
export const CHAOS_STATUSES: readonly ChaosStatus[] = [429, 500, 503];

/** `retryAfter` in whole seconds, as the providers send it. */
export function chaosError(
  provider: string,
  status: ChaosStatus,
  requestId: string,
  retryAfter: number,
): Served {
  // An exchange of no known provider (an opaque one) gets OpenAI's shape, the most copied one.
  const module = providerModule(provider) ?? providerModule('openai');
  const answer = module?.statusError(status, requestId) ?? { body: {}, headers: [] };
  const headers: [string, string][] = [
    ['content-type', 'application/json'],
    ['retry-after', String(retryAfter)],
    ...answer.headers,
  ];
  return { status, headers, chunks: [Buffer.from(JSON.stringify(answer.body, null, 2))] };
}
