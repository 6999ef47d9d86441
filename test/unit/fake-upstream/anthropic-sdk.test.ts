import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_TEXT,
  type FakeUpstream,
  startFakeUpstream,
} from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let client: Anthropic;

beforeAll(async () => {
  up = await startFakeUpstream();
  client = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: up.url, maxRetries: 0 });
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const params = {
  model: 'claude-sonnet-4-6',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: 'hi' }],
};

describe('@anthropic-ai/sdk against the fake upstream', () => {
  it('messages.create returns the default text with request-id', async () => {
    const { data, response } = await client.messages.create(params).withResponse();
    expect(data.content).toEqual([{ type: 'text', text: DEFAULT_TEXT }]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.model).toBe('claude-sonnet-4-6');
    expect(response.headers.get('request-id')).toBe('req_fake_0001');
    // SDK 1.12 sends the key as a bearer token; older versions and Claude Code use x-api-key.
    expect(up.received[0]?.headers.authorization).toBe('Bearer sk-ant-test-FAKE');
    expect(up.received[0]?.headers['anthropic-version']).toBeTruthy();
  });

  it('messages.stream gets text deltas and every SSE event name', async () => {
    up.enqueue({ kind: 'text', text: 'alpha beta gamma' });
    const stream = client.messages.stream(params);
    const deltas: string[] = [];
    stream.on('text', (t) => deltas.push(t));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([
      expect.objectContaining({ type: 'text', text: 'alpha beta gamma' }),
    ]);
    expect(deltas).toEqual(['alpha', ' beta', ' gamma']);
    const wire = Buffer.concat(up.sent[0]?.chunks ?? []).toString();
    const names = [...wire.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(new Set(names)).toEqual(
      new Set([
        'message_start',
        'content_block_start',
        'ping',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]),
    );
    expect(names.at(-1)).toBe('message_stop');
  });

  it('a tool_use streams its input as partial_json pieces and finalMessage() parses it', async () => {
    up.enqueue({
      kind: 'tool',
      text: 'Let me check.',
      calls: [{ name: 'get_weather', arguments: { city: 'Paris' }, callId: 'toolu_01' }],
    });
    const stream = client.messages.stream({ ...params, stream: true } as typeof params);
    const partials: string[] = [];
    stream.on('inputJson', (partial) => partials.push(partial));
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[1]).toMatchObject({
      type: 'tool_use',
      id: 'toolu_01',
      name: 'get_weather',
      input: { city: 'Paris' },
    });
    expect(partials.length).toBeGreaterThan(1);
  });

  it('the beta path (?beta=true, as Claude Code sends it) answers and is recorded with its query', async () => {
    const res = await fetch(`${up.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-ant-test-FAKE', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ ...params, stream: true }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await res.text()).toContain('event: message_stop');
    expect(up.received[0]).toMatchObject({ url: '/v1/messages?beta=true', endpoint: 'messages' });
    expect(up.received[0]?.headers['x-api-key']).toBe('sk-ant-test-FAKE');
  });

  it('an error reply surfaces as the typed SDK error with status, type and request id', async () => {
    up.enqueue({ kind: 'error', status: 529, message: 'Overloaded' });
    const error = await client.messages.create(params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ status: 529, requestID: 'req_fake_0001' });
    expect((error as { error: unknown }).error).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
  });

  it('a stream-error reply delivers an in-stream `event: error`', async () => {
    up.enqueue({ kind: 'stream-error', message: 'Overloaded mid-stream' });
    const error = await client.messages
      .stream(params)
      .finalMessage()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(String((error as Error).message)).toContain('Overloaded mid-stream');
  });

  it('count_tokens, models (with anthropic-version) and HEAD / answer', async () => {
    const count = await client.messages.countTokens(params);
    expect(count.input_tokens).toBeGreaterThan(0);
    const models = await client.models.list();
    expect(models.data[0]?.type).toBe('model');
    const head = await fetch(up.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(up.received.map((r) => r.endpoint)).toEqual([
      'messages.count_tokens',
      'models',
      'probe',
    ]);
  });
});
