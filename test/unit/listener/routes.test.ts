import { expect, test } from 'vitest';
import { errorShapeFor, matchRoute, upstreamPath } from '../../../src/listener/routes.ts';

const none = {};
const anthropic = { 'anthropic-version': '2023-06-01' };

test.each([
  ['POST', '/v1/responses', none, 'openai', 'responses'],
  ['POST', '/responses', none, 'openai', 'responses'],
  ['POST', '/v1/responses/compact', none, 'openai', 'responses.compact'],
  ['POST', '/v1/chat/completions', none, 'openai', 'chat.completions'],
  ['POST', '/v1/embeddings', none, 'openai', 'embeddings'],
  ['GET', '/v1/models', none, 'openai', 'models'],
  ['GET', '/v1/models', anthropic, 'anthropic', 'models'],
  ['GET', '/v1/models/claude-x', { 'x-api-key': 'k' }, 'anthropic', 'models'],
  ['POST', '/v1/messages?beta=true', anthropic, 'anthropic', 'messages'],
  ['POST', '/v1/messages', none, 'anthropic', 'messages'],
  ['POST', '/v1/messages/count_tokens?beta=true', anthropic, 'anthropic', 'messages.count_tokens'],
  ['HEAD', '/', anthropic, 'anthropic', 'probe'],
  ['POST', '/v1beta/models/gemini-2.5-flash:generateContent', none, 'gemini', 'generateContent'],
  [
    'POST',
    '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    none,
    'gemini',
    'streamGenerateContent',
  ],
  ['POST', '/v1/models/gemini-x:countTokens', none, 'gemini', 'countTokens'],
])('%s %s goes to %s (%s)', (method, url, headers, provider, endpoint) => {
  expect(matchRoute(method as string, url as string, headers as Record<string, string>)).toEqual({
    provider,
    endpoint,
  });
});

test('routes outside the contract are not matched', () => {
  expect(matchRoute('POST', '/v1/assistants', none)).toBeNull();
  expect(matchRoute('GET', '/v1/responses', none)).toBeNull();
  expect(matchRoute('POST', '/v1beta/models/x:predict', none)).toBeNull();
});

test('error shapes follow the client: Anthropic headers, Gemini paths, else OpenAI', () => {
  expect(errorShapeFor('/v1/foo', anthropic)).toBe('anthropic');
  expect(errorShapeFor('/v1beta/foo', none)).toBe('gemini');
  expect(errorShapeFor('/v1/foo', none)).toBe('openai');
});

test('OpenAI requests without /v1 are forwarded with it; others unchanged', () => {
  expect(upstreamPath({ provider: 'openai', endpoint: 'models' }, '/models')).toBe('/v1/models');
  expect(upstreamPath({ provider: 'openai', endpoint: 'models' }, '/v1/models')).toBe('/v1/models');
  expect(upstreamPath({ provider: 'anthropic', endpoint: 'probe' }, '/')).toBe('/');
});
