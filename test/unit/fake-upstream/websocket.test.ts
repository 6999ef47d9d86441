import { once } from 'node:events';
import OpenAI from 'openai';
import type { ResponseCompletedEvent } from 'openai/resources/responses/responses';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  DEFAULT_TEXT,
  type FakeUpstream,
  startFakeUpstream,
} from '../../support/fake-upstream/index.ts';

let up: FakeUpstream | undefined;
afterEach(async () => {
  await up?.close();
  up = undefined;
});

const wsUrl = (u: FakeUpstream, path = '/v1/responses') => `${u.url.replace('http', 'ws')}${path}`;

/** Sends one frame and collects the JSON frames until a terminal Responses event. */
async function turn(
  ws: WebSocket,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>[]> {
  const frames: Record<string, unknown>[] = [];
  const done = new Promise<void>((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      frames.push(frame);
      if (['response.completed', 'response.failed', 'error'].includes(String(frame.type))) {
        ws.off('message', onMessage);
        resolve();
      }
    };
    ws.on('message', onMessage);
  });
  ws.send(JSON.stringify({ type: 'response.create', ...body }));
  await done;
  return frames;
}

async function connect(u: FakeUpstream, path?: string): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl(u, path), {
    headers: {
      authorization: 'Bearer sk-test-FAKE',
      'openai-beta': 'responses_websockets=2026-02-06',
    },
  });
  await once(ws, 'open');
  return ws;
}

describe('fake upstream WebSocket (Responses over ws, as Codex speaks it)', () => {
  it('answers a prewarm, then a turn, with Responses events as JSON text frames', async () => {
    up = await startFakeUpstream();
    up.enqueue({ kind: 'text', text: 'hi there' });
    const ws = await connect(up);
    const prewarm = await turn(ws, { model: 'gpt-5', input: [] });
    expect(prewarm.map((f) => f.type)).toEqual(['response.created', 'response.completed']);
    const frames = await turn(ws, {
      model: 'gpt-5',
      input: [{ type: 'message', role: 'user', content: 'hi' }],
    });
    expect(frames.map((f) => f.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(frames.map((f) => f.sequence_number)).toEqual(frames.map((_, i) => i));
    const completed = frames.at(-1) as {
      response: { id: string; output: unknown[]; usage: unknown };
    };
    expect(completed.response.id).toMatch(/^resp_fake_/);
    expect(completed.response.usage).toBeTruthy();
    ws.close();
    const kinds = up.received.map((r) => [r.transport, r.websocket, r.prewarm ?? false]);
    expect(kinds).toEqual([
      ['websocket', 'upgrade', false],
      ['websocket', 'frame', true],
      ['websocket', 'frame', false],
    ]);
    expect(up.received[0]?.headers['openai-beta']).toBe('responses_websockets=2026-02-06');
    expect(up.received[2]?.body).toMatchObject({ type: 'response.create', model: 'gpt-5' });
  });

  it('accepts /responses without /v1 and sends tool calls as custom_tool_call items', async () => {
    up = await startFakeUpstream();
    up.enqueue({
      kind: 'tool',
      calls: [{ name: 'exec', type: 'custom', arguments: 'text("hi")' }],
    });
    const ws = await connect(up, '/responses');
    const frames = await turn(ws, { model: 'gpt-5', input: 'run it' });
    const types = frames.map((f) => f.type);
    expect(types).toContain('response.custom_tool_call_input.delta');
    const done = frames.find((f) => f.type === 'response.output_item.done') as {
      item: Record<string, unknown>;
    };
    expect(done.item).toMatchObject({
      type: 'custom_tool_call',
      name: 'exec',
      input: 'text("hi")',
    });
    ws.close();
  });

  it('an error reply arrives as an `error` frame with the status', async () => {
    up = await startFakeUpstream();
    up.enqueue({ kind: 'error', status: 429, message: 'slow down' });
    const ws = await connect(up);
    const frames = await turn(ws, { model: 'gpt-5', input: 'hi' });
    expect(frames).toEqual([
      {
        type: 'error',
        status: 429,
        error: expect.objectContaining({ message: 'slow down', type: 'rate_limit_exceeded' }),
      },
    ]);
    ws.close();
  });

  it('websocket: false rejects the upgrade with 426 so a client falls back to HTTP', async () => {
    up = await startFakeUpstream({ websocket: false });
    const ws = new WebSocket(wsUrl(up));
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(426);
    expect(up.received[0]).toMatchObject({
      transport: 'websocket',
      websocket: 'upgrade',
      method: 'GET',
    });
    ws.on('error', () => {}); // terminating a never-opened socket reports an error we expect
    ws.terminate();
  });

  it('a queued reject-upgrade rejects one upgrade and leaves the next turns queued', async () => {
    up = await startFakeUpstream();
    up.enqueue({ kind: 'reject-upgrade', status: 426 }, { kind: 'text', text: 'after fallback' });
    const first = new WebSocket(wsUrl(up));
    const [, res] = (await once(first, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(426);
    first.on('error', () => {});
    first.terminate();
    const ws = await connect(up);
    const frames = await turn(ws, { model: 'gpt-5', input: 'hi' });
    const completed = frames.at(-1) as { response: { output: { content: { text: string }[] }[] } };
    expect(completed.response.output[0]?.content[0]?.text).toBe('after fallback');
    ws.close();
  });

  it('a disconnect reply sends N frames then drops the socket', async () => {
    up = await startFakeUpstream();
    up.enqueue({ kind: 'disconnect', afterEvents: 3 });
    const ws = await connect(up);
    const frames: unknown[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
    ws.send(JSON.stringify({ type: 'response.create', model: 'gpt-5', input: 'hi' }));
    const [code] = (await once(ws, 'close')) as [number];
    expect(frames).toHaveLength(3);
    expect(code).toBe(1006); // abnormal closure: no close frame
  });
});

describe('the openai SDK WebSocket client (ResponsesWS) against the fake upstream', () => {
  it('gets the Responses events for a response.create over ws', async () => {
    up = await startFakeUpstream();
    const client = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
    const rws = new ResponsesWS(client);
    const types: string[] = [];
    const completed = new Promise<ResponseCompletedEvent>((resolve) => {
      rws.on('event', (e) => types.push(e.type));
      rws.on('response.completed', resolve);
    });
    rws.send({ type: 'response.create', model: 'gpt-5-mini', input: 'hi' });
    const done = await completed;
    rws.close();
    const message = done.response.output[0];
    expect(message?.type === 'message' && message.content[0]).toMatchObject({ text: DEFAULT_TEXT });
    expect(types).toContain('response.output_text.delta');
    expect(up.received[0]).toMatchObject({ url: '/v1/responses', websocket: 'upgrade' });
  });
});
