import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_TEXT,
  type FakeUpstream,
  startFakeUpstream,
} from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  up = await startFakeUpstream();
  openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: up.url, maxRetries: 0 });
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const messages = {
  model: 'claude-sonnet-4-6',
  max_tokens: 50,
  messages: [{ role: 'user' as const, content: 'hi' }],
};

describe('fake upstream faults and scripting', () => {
  it('disconnect: the stream starts, then the SDK sees the connection drop', async () => {
    up.enqueue({ kind: 'disconnect', afterEvents: 3 });
    const seen: string[] = [];
    const stream = openai.responses.stream({ model: 'gpt-5-mini', input: 'hi' });
    stream.on('event', (e) => seen.push(e.type));
    await expect(stream.finalResponse()).rejects.toThrow();
    expect(seen.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(seen).not.toContain('response.completed');
    expect(up.sent[0]?.chunks).toHaveLength(3);
  });

  it('disconnect on a JSON route cuts the body short under a full content-length', async () => {
    up.enqueue({ kind: 'disconnect', afterEvents: 1 });
    await expect(anthropic.messages.create(messages)).rejects.toThrow();
  });

  it('malformed: one invalid JSON frame in the middle of a stream breaks the SDK parser', async () => {
    up.enqueue({ kind: 'malformed' });
    await expect(anthropic.messages.stream(messages).finalMessage()).rejects.toThrow();
    expect(Buffer.concat(up.sent[0]?.chunks ?? []).toString()).toContain('data: {"type": "broken"');
    // A client that reads on gets the rest of the stream intact.
    up.enqueue({ kind: 'malformed' });
    const res = await fetch(`${up.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({ ...messages, stream: true }),
    });
    const wire = await res.text();
    expect(wire.indexOf('"broken"')).toBeGreaterThan(wire.indexOf('event: message_start'));
    expect(wire.indexOf('"broken"')).toBeLessThan(wire.indexOf('event: message_stop'));
  });

  it('malformed on a JSON route: an invalid JSON body', async () => {
    up.enqueue({ kind: 'malformed' });
    const res = await fetch(`${up.url}/v1/chat/completions`, {
      method: 'POST',
      body: '{"model":"m","messages":[]}',
    });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });

  it('chat stream-error sends an in-stream error object', async () => {
    up.enqueue({ kind: 'stream-error', message: 'kaboom' });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    await expect(async () => {
      for await (const _ of stream) {
        // drain
      }
    }).rejects.toThrow(/kaboom/);
  });

  it('raw: exact bytes, status and headers, in the given chunks', async () => {
    up.enqueue({
      kind: 'raw',
      status: 418,
      headers: { 'x-thing': '1' },
      chunks: ['ab', new Uint8Array([99, 100])],
    });
    // Unknown routes do not consume the queue: the raw reply is still there for the next route.
    expect((await fetch(`${up.url}/anything/at/all`)).status).toBe(404);
    const res = await fetch(`${up.url}/v1/models`);
    expect(res.status).toBe(418);
    expect(res.headers.get('x-thing')).toBe('1');
    expect(await res.text()).toBe('abcd');
    expect(up.sent[1]?.chunks.map((c) => Buffer.from(c).toString())).toEqual(['ab', 'cd']);
  });

  it("chunking 'byte' writes one byte at a time and the SDK still assembles the stream", async () => {
    up.enqueue({ kind: 'text', text: 'split me', chunking: 'byte' });
    const final = await anthropic.messages.stream(messages).finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'split me' });
    expect(up.sent[0]?.chunks.every((c) => c.length === 1)).toBe(true);
  });

  it('chunking N splits across event boundaries; delayMs paces the writes', async () => {
    up.enqueue({ kind: 'text', text: 'a b c', chunking: 64, delayMs: 1 });
    const final = await openai.responses
      .stream({ model: 'gpt-5-mini', input: 'hi' })
      .finalResponse();
    expect(final.output_text).toBe('a b c');
    const chunks = up.sent[0]?.chunks ?? [];
    expect(chunks.slice(0, -1).every((c) => c.length === 64)).toBe(true);
  });

  it('unknown routes get a 404 JSON error naming the route', async () => {
    const res = await fetch(`${up.url}/v2/nothing`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { message: expect.stringContaining('POST /v2/nothing') },
    });
    expect(up.received[0]?.url).toBe('/v2/nothing');
    expect(up.received[0]?.endpoint).toBeUndefined();
  });

  it('the queue is consumed before the handler; handler undefined falls back to the default', async () => {
    up.reply((req) =>
      (req.body as { input?: string }).input === 'special'
        ? { kind: 'text', text: 'handled' }
        : undefined,
    );
    up.enqueue({ kind: 'text', text: 'queued' });
    const texts = [];
    for (const input of ['special', 'special', 'other']) {
      texts.push((await openai.responses.create({ model: 'gpt-5-mini', input })).output_text);
    }
    expect(texts).toEqual(['queued', 'handled', DEFAULT_TEXT]);
  });

  it('waitForRequests resolves once the count is reached', async () => {
    const waiting = up.waitForRequests(2);
    await openai.models.list();
    await openai.models.list();
    expect((await waiting).map((r) => r.endpoint)).toEqual(['models', 'models']);
  });
});

describe('close()', () => {
  it('resolves promptly with a hanging request and an open keep-alive connection', async () => {
    const own = await startFakeUpstream();
    own.enqueue({ kind: 'hang' });
    const pending = fetch(`${own.url}/v1/chat/completions`, { method: 'POST', body: '{}' }).catch(
      (e: unknown) => e,
    );
    await own.waitForRequests(1);
    await own.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});
