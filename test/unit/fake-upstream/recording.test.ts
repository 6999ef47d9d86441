import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream();
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${up.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });

describe('what the fake records and sends', () => {
  it('after reset(), the same request gets byte-identical bytes (ids and timestamps are fixed)', async () => {
    const body = { model: 'gpt-5', input: 'hi', stream: true };
    const first = await (await post('/v1/responses', body)).text();
    up.reset();
    const second = await (await post('/v1/responses', body)).text();
    expect(second).toBe(first);
    expect(Buffer.concat(up.sent[0]?.chunks ?? []).toString()).toBe(second);
  });

  it('records a gzip-compressed request body decoded', async () => {
    const res = await fetch(`${up.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
      body: gzipSync(JSON.stringify({ model: 'gpt-4.1', messages: [] })),
    });
    expect(res.status).toBe(200);
    expect(up.received[0]?.body).toEqual({ model: 'gpt-4.1', messages: [] });
  });

  it('a client that aborts mid-stream leaves the server answering the next request', async () => {
    up.enqueue({ kind: 'text', text: 'one two three four five six', delayMs: 20 });
    const res = await post('/v1/messages', {
      model: 'claude-sonnet-4-6',
      stream: true,
      max_tokens: 5,
      messages: [],
    });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    const next = await post(
      '/v1/messages',
      { model: 'claude-sonnet-4-6', max_tokens: 5, messages: [] },
      { 'x-api-key': 'sk-ant-test-FAKE' },
    );
    expect(((await next.json()) as { type: string }).type).toBe('message');
    expect(up.sent[0]?.chunks.length).toBeLessThan(10);
  });

  it('records provider and endpoint per route, with and without the /v1 prefix', async () => {
    await post('/responses', { model: 'gpt-5', input: 'x' });
    await post('/v1/responses/compact', { model: 'gpt-5', input: [] });
    await post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'x' });
    await post('/v1/messages/count_tokens?beta=true', { model: 'claude-sonnet-4-6', messages: [] });
    await post('/v1beta/models/gemini-2.5-flash:countTokens', { contents: [] });
    await fetch(`${up.url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(up.received.map((r) => `${r.provider}:${r.endpoint}`)).toEqual([
      'openai:responses',
      'openai:responses.compact',
      'openai:embeddings',
      'anthropic:messages.count_tokens',
      'gemini:countTokens',
      'anthropic:models',
    ]);
  });
});
