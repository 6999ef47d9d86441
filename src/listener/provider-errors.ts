/**
 * Errors the gateway itself answers with, in the shape the client's SDK parses (docs/CONTRACT.md,
 * FACTS.md "Errors"), so an SDK surfaces our message instead of "unexpected response".
 */
import type { ServerResponse } from 'node:http';
import { formatMessage } from '../errors.ts';
import type { UpstreamProvider } from './options.ts';

export interface GatewayErrorInfo {
  status: number;
  /** OpenAI `type` / Anthropic `error.type`. */
  type: string;
  /** Stable code, also used as OpenAI `code`. */
  code: string;
  message: string;
}

const GEMINI_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  404: 'NOT_FOUND',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function providerErrorBody(provider: UpstreamProvider, info: GatewayErrorInfo): unknown {
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

export function sendProviderError(
  res: ServerResponse,
  provider: UpstreamProvider,
  info: GatewayErrorInfo,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(providerErrorBody(provider, info));
  res.writeHead(info.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-replaykit-error': info.code,
  });
  res.end(body);
}
