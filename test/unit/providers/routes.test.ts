import { describe, expect, test } from 'vitest';
import { decodeBody, detectRoute, requestIdOf } from '../../../src/providers/index.ts';

const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
  detectRoute({ method: 'POST', url, headers, body });

describe('detectRoute: every contract route', () => {
  test.each([
    ['/v1/responses', 'openai', 'responses'],
    ['/responses', 'openai', 'responses'],
    ['/v1/responses/compact', 'openai', 'responses.compact'],
    ['/v1/chat/completions', 'openai', 'chat.completions'],
    ['/chat/completions', 'openai', 'chat.completions'],
    ['/v1/embeddings', 'openai', 'embeddings'],
    ['/v1/messages', 'anthropic', 'messages'],
    ['/v1/messages?beta=true', 'anthropic', 'messages'],
    ['/v1/messages/count_tokens?beta=true', 'anthropic', 'messages.count_tokens'],
  ])('POST %s is %s %s', (url, provider, endpoint) => {
    expect(post(url, { model: 'm1' })).toMatchObject({
      provider,
      endpoint,
      model: 'm1',
      stream: false,
    });
  });

  test('the stream flag comes from the body and means SSE', () => {
    expect(post('/v1/chat/completions', { model: 'gpt-4o', stream: true })).toEqual({
      provider: 'openai',
      endpoint: 'chat.completions',
      model: 'gpt-4o',
      stream: true,
      streamFormat: 'sse',
    });
    expect(post('/v1/messages?beta=true', { stream: true })?.streamFormat).toBe('sse');
    expect(post('/v1/embeddings', { stream: true })?.stream).toBe(false);
  });

  test.each([
    ['/v1beta/models/gemini-2.5-flash:generateContent', 'generateContent', false, null],
    ['/v1/models/gemini-2.5-flash:generateContent', 'generateContent', false, null],
    [
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      'streamGenerateContent',
      true,
      'sse',
    ],
    [
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
      'streamGenerateContent',
      true,
      'json-array',
    ],
    ['/v1beta/models/gemini-2.5-flash:countTokens', 'countTokens', false, null],
    ['/v1beta/models/text-embedding-004:batchEmbedContents', 'batchEmbedContents', false, null],
    [
      '/v1beta/models/text-embedding-004:embedContent?key=AIza-test-FAKE',
      'embedContent',
      false,
      null,
    ],
  ])('Gemini POST %s', (url, endpoint, stream, streamFormat) => {
    const route = post(url, {});
    expect(route).toMatchObject({ provider: 'gemini', endpoint, stream, streamFormat });
    expect(route?.model).toMatch(/^(gemini-2\.5-flash|text-embedding-004)$/);
  });

  test('WebSocket upgrade on /v1/responses is the responses endpoint streaming over websocket', () => {
    const route = detectRoute({
      method: 'GET',
      url: '/v1/responses',
      headers: { upgrade: 'websocket' },
    });
    expect(route).toEqual({
      provider: 'openai',
      endpoint: 'responses',
      model: null,
      stream: true,
      streamFormat: 'websocket',
    });
  });

  test('GET /v1/models is Anthropic when anthropic-version or x-api-key is sent, else OpenAI', () => {
    const get = (url: string, headers: Record<string, string>) =>
      detectRoute({ method: 'GET', url, headers });
    expect(get('/v1/models', { 'anthropic-version': '2023-06-01' })?.provider).toBe('anthropic');
    expect(get('/v1/models', { 'X-Api-Key': 'sk-ant-test-FAKE' })?.provider).toBe('anthropic');
    expect(get('/v1/models', { authorization: 'Bearer sk-test-FAKE' })).toMatchObject({
      provider: 'openai',
      endpoint: 'models',
    });
    expect(get('/v1/models/gpt-4o', {})?.model).toBe('gpt-4o');
    expect(get('/v1/models/ft:custom', {})).toMatchObject({
      provider: 'openai',
      model: 'ft:custom',
    });
  });

  test('HEAD / is the Anthropic connectivity probe; unknown routes are null', () => {
    expect(detectRoute({ method: 'HEAD', url: '/', headers: {} })?.endpoint).toBe('probe');
    expect(post('/v1/unknown', {})).toBeNull();
    expect(detectRoute({ method: 'DELETE', url: '/v1/responses', headers: {} })).toBeNull();
    expect(post('/v1beta/models/x:unknownVerb', {})).toBeNull();
  });
});

describe('requestIdOf', () => {
  test('OpenAI x-request-id, Anthropic request-id (or the error body), Gemini body responseId', () => {
    const route = (provider: 'openai' | 'anthropic' | 'gemini') => ({
      provider,
      endpoint: 'x',
      model: null,
      stream: false,
      streamFormat: null,
    });
    expect(requestIdOf(route('openai'), { 'x-request-id': 'req_1' })).toBe('req_1');
    expect(requestIdOf(route('anthropic'), { 'request-id': 'req_2' })).toBe('req_2');
    expect(requestIdOf(route('anthropic'), {}, { type: 'error', request_id: 'req_3' })).toBe(
      'req_3',
    );
    expect(requestIdOf(route('gemini'), {}, { responseId: 'abc' })).toBe('abc');
    expect(requestIdOf(route('gemini'), {}, [{ responseId: 'first' }])).toBe('first');
    expect(requestIdOf(route('openai'), {})).toBeNull();
  });
});

describe('decodeBody keeps bodies readable', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  test('JSON is parsed, text stays text, binary becomes base64, empty is nothing', () => {
    expect(decodeBody(bytes('{"a":1}'), 'application/json')).toEqual({ body: { a: 1 } });
    expect(decodeBody(bytes('{"a":1}'))).toEqual({ body: { a: 1 } });
    expect(decodeBody(bytes('data: x\n\n'), 'text/event-stream')).toEqual({
      body_text: 'data: x\n\n',
    });
    expect(decodeBody(bytes('{not json'), 'application/json')).toEqual({ body_text: '{not json' });
    expect(decodeBody(new Uint8Array([0xff, 0x00, 0x10]))).toEqual({ body_base64: '/wAQ' });
    expect(decodeBody(null)).toEqual({});
    expect(decodeBody(new Uint8Array())).toEqual({});
  });
});
