/** Response headers the real OpenAI API sends (the ones SDKs and recorders read). */
import type { RenderContext } from './rendered.ts';

export function openaiHeaders(ctx: RenderContext): Record<string, string> {
  return {
    'x-request-id': ctx.requestId,
    'openai-version': '2020-10-01',
    'openai-processing-ms': '42',
    'openai-organization': 'org-fake',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-reset-requests': '6ms',
    'x-ratelimit-limit-tokens': '30000000',
    'x-ratelimit-remaining-tokens': '29999000',
    'x-ratelimit-reset-tokens': '2ms',
  };
}
