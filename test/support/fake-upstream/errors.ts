/** Provider-shaped error bodies and headers, with the type each provider uses for a status. */
import { anthropicHeaders } from './anthropic.ts';
import { bedrockHeaders } from './bedrock.ts';
import { geminiHeaders } from './gemini.ts';
import { openaiHeaders } from './openai-headers.ts';
import { jsonBody, type RenderContext, type Rendered } from './rendered.ts';
import type { ErrorReply, Provider } from './types.ts';

const OPENAI: Record<number, [string, string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['permission_error', null],
  404: ['invalid_request_error', 'model_not_found'],
  429: ['rate_limit_exceeded', 'rate_limit_exceeded'],
  500: ['server_error', null],
  503: ['server_error', null],
};
const ANTHROPIC: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};
const GEMINI: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const BEDROCK: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

export function renderError(provider: Provider, reply: ErrorReply, ctx: RenderContext): Rendered {
  const { status } = reply;
  const message = reply.message ?? `Fake upstream error ${status}`;
  if (provider === 'anthropic') {
    const type =
      reply.type ?? ANTHROPIC[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    const headers = anthropicHeaders(ctx);
    if (status === 429 || status === 529) headers['retry-after'] = '1';
    headers['x-should-retry'] = String(status === 429 || status >= 500);
    return jsonBody(status, headers, {
      type: 'error',
      error: { type, message },
      request_id: ctx.requestId,
    });
  }
  if (provider === 'bedrock') {
    // Bedrock (restJson1): the error type in a header, `{message}` as the body.
    const type =
      reply.type ??
      BEDROCK[status] ??
      (status >= 500 ? 'InternalServerException' : 'ValidationException');
    return jsonBody(
      status,
      {
        ...bedrockHeaders(ctx),
        'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      },
      { message },
    );
  }
  if (provider === 'ollama') return jsonBody(status, {}, { error: message });
  if (provider === 'gemini') {
    const type = reply.type ?? GEMINI[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
    return jsonBody(status, geminiHeaders(), { error: { code: status, message, status: type } });
  }
  const [defaultType, code] = OPENAI[status] ?? [
    status >= 500 ? 'server_error' : 'invalid_request_error',
    null,
  ];
  const headers = openaiHeaders(ctx);
  if (status === 429) headers['retry-after'] = '1';
  headers['x-should-retry'] = String(status === 429 || status >= 500);
  return jsonBody(status, headers, {
    error: { message, type: reply.type ?? defaultType, param: null, code },
  });
}

/** Unknown routes: a 404 that names the route, so a test failure says what was asked. */
export function renderNotFound(method: string, url: string): Rendered {
  return jsonBody(
    404,
    {},
    {
      error: {
        message: `Fake upstream has no route for ${method} ${url}`,
        type: 'invalid_request_error',
        param: null,
        code: 'unknown_url',
      },
    },
  );
}
