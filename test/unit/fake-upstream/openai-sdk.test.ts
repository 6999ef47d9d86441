import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_TEXT,
  type FakeUpstream,
  startFakeUpstream,
} from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let client: OpenAI;

beforeAll(async () => {
  up = await startFakeUpstream();
  client = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
});
afterAll(() => up.close());
beforeEach(() => up.reset());

describe('openai SDK against the fake upstream', () => {
  it('Responses JSON returns the default text with usage and x-request-id', async () => {
    const { data, response } = await client.responses
      .create({ model: 'gpt-5-mini', input: 'hi' })
      .withResponse();
    expect(data.output_text).toBe(DEFAULT_TEXT);
    expect(data.status).toBe('completed');
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-request-id')).toBe('req_fake_0001');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBeTruthy();
    expect(up.received[0]).toMatchObject({
      method: 'POST',
      url: '/v1/responses',
      transport: 'http',
      endpoint: 'responses',
    });
    expect(up.received[0]?.headers.authorization).toBe('Bearer sk-test-FAKE');
    expect(up.received[0]?.body).toMatchObject({ model: 'gpt-5-mini', input: 'hi' });
  });

  it('Responses SSE streams word deltas and finalResponse() has the text', async () => {
    up.enqueue({ kind: 'text', text: 'one two three four' });
    const stream = client.responses.stream({ model: 'gpt-5-mini', input: 'hi' });
    const deltas: string[] = [];
    const types: string[] = [];
    stream.on('event', (e) => types.push(e.type));
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('one two three four');
    expect(deltas).toEqual(['one', ' two', ' three', ' four']);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    const sentText = Buffer.concat(up.sent[0]?.chunks ?? []).toString();
    expect(sentText).toContain('event: response.output_text.delta\ndata: {');
    expect(sentText).toContain('"obfuscation"');
    expect(sentText).not.toContain('[DONE]');
    expect(up.sent[0]?.headers['content-type']).toMatch(/^text\/event-stream/);
  });

  it('Responses streams a function call whose arguments arrive in pieces', async () => {
    up.enqueue({
      kind: 'tool',
      calls: [{ name: 'get_weather', arguments: { city: 'Paris', unit: 'c' } }],
    });
    const stream = client.responses.stream({ model: 'gpt-5-mini', input: 'weather?' });
    const argDeltas: string[] = [];
    stream.on('response.function_call_arguments.delta', (e) => argDeltas.push(e.delta));
    const final = await stream.finalResponse();
    const call = final.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ name: 'get_weather', call_id: 'call_fake_0001' });
    expect(JSON.parse((call as { arguments: string }).arguments)).toEqual({
      city: 'Paris',
      unit: 'c',
    });
    expect(argDeltas.length).toBeGreaterThan(1);
  });

  it('Responses custom tool call carries free-form input', async () => {
    up.enqueue({
      kind: 'tool',
      calls: [{ name: 'exec', type: 'custom', arguments: 'text("hi")', callId: 'call_x' }],
    });
    const final = await client.responses
      .stream({ model: 'gpt-5-mini', input: 'x' })
      .finalResponse();
    expect(final.output[0]).toMatchObject({
      type: 'custom_tool_call',
      name: 'exec',
      input: 'text("hi")',
      call_id: 'call_x',
    });
  });

  it('Chat JSON and SSE (with include_usage) give the text', async () => {
    const json = await client.chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(json.choices[0]?.message.content).toBe(DEFAULT_TEXT);
    expect(json.choices[0]?.finish_reason).toBe('stop');

    const stream = await client.chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage?.total_tokens ?? usage;
    }
    expect(text).toBe(DEFAULT_TEXT);
    expect(usage).toBeGreaterThan(0);
    expect(
      Buffer.concat(up.sent[1]?.chunks ?? [])
        .toString()
        .endsWith('data: [DONE]\n\n'),
    ).toBe(true);
  });

  it('Chat streams tool_calls fragments that accumulate to complete arguments', async () => {
    up.enqueue({
      kind: 'tool',
      calls: [
        { name: 'a', arguments: { x: 1 } },
        { name: 'b', arguments: '{"y":"two"}' },
      ],
    });
    const stream = client.chat.completions.stream({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'go' }],
    });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(
      calls.map((c) =>
        c.type === 'function' ? [c.function.name, JSON.parse(c.function.arguments)] : null,
      ),
    ).toEqual([
      ['a', { x: 1 }],
      ['b', { y: 'two' }],
    ]);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('an error reply surfaces as the typed SDK error with status and request id', async () => {
    up.enqueue({ kind: 'error', status: 429, message: 'Slow down' });
    const error = await client.responses
      .create({ model: 'gpt-5-mini', input: 'hi' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({
      status: 429,
      requestID: 'req_fake_0001',
      type: 'rate_limit_exceeded',
    });
    expect((error as Error).message).toContain('Slow down');
  });

  it('a stream-error reply makes the Responses stream fail with response.failed', async () => {
    up.enqueue({ kind: 'stream-error', message: 'model exploded' });
    const stream = client.responses.stream({ model: 'gpt-5-mini', input: 'hi' });
    const types: string[] = [];
    stream.on('event', (e) => types.push(e.type));
    await stream.finalResponse().catch(() => undefined);
    expect(types).toContain('response.failed');
  });

  it('embeddings (base64 by default in the SDK) and models work', async () => {
    const emb = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
    });
    expect(emb.data).toHaveLength(2);
    expect(emb.data[0]?.embedding).toHaveLength(8);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-5');
  });
});
