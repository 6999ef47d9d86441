/**
 * Errors that ReplayKit itself answers with (the listener's gateway, the in-process replayer), in
 * the shape each provider's SDK parses (shared/FACTS.md "Errors"), so the SDK surfaces our message
 * instead of "unexpected response".
 */
import { formatMessage } from '../errors.ts';
import type { RouteInfo } from './types.ts';

export interface ProviderErrorInfo {
  status: number;
  /** OpenAI `type` / Anthropic `error.type`. */
  type: string;
  /** Stable code, also used as OpenAI `code` and Gemini `details[].reason`. */
  code: string;
  message: string;
}

const GEMINI_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function providerErrorBody(
  provider: RouteInfo['provider'],
  info: ProviderErrorInfo,
): unknown {
  const message = formatMessage(info.message);
  switch (provider) {
    case 'anthropic':
      return { type: 'error', error: { type: info.type, message }, request_id: null };
    case 'gemini':
      return {
        error: {
          code: info.status,
          message,
          status: GEMINI_STATUS[info.status] ?? 'UNKNOWN',
          details: [{ reason: info.code, domain: 'replaykit' }],
        },
      };
    default:
      return { error: { message, type: info.type, param: null, code: info.code } };
  }
}
