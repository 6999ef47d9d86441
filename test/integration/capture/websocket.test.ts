/**
 * Responses over WebSocket from inside the test process (issue 13, symptom 5): the OpenAI Agents
 * SDK's WebSocket transport (the global `WebSocket`), a raw `ws` client (the one the openai SDK's
 * `ResponsesWS` uses) and the global `WebSocket` by hand. Each one is recorded against the fake
 * upstream, replayed with the upstream gone and a tripwire on its port, held to parity, and a
 * changed prompt must diverge with the JSON path of the change.
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, Runner, tool } from '@openai/agents';
import { OpenAIProvider } from '@openai/agents-openai';
import OpenAI from 'openai';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { expectReplayParity, ReplayDivergenceError, record } from '../../../src/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream | undefined;
let tripwire: { server: net.Server; hits: number } | undefined;
afterEach(async () => {
  await up?.close();
  up = undefined;
  if (tripwire) await new Promise((resolve) => tripwire?.server.close(resolve));
  tripwire = undefined;
});

const tmp = () => mkdtempSync(path.join(tmpdir(), 'rk-ws-'));

/** Stands on the stopped upstream's port: any connection at all is a test failure. */
async function startTripwire(port: number) {
  const wire = { server: net.createServer(), hits: 0 };
  wire.server.on('connection', (socket) => {
    wire.hits++;
    socket.destroy();
  });
  wire.server.listen(port, '127.0.0.1');
  await once(wire.server, 'listening');
  return wire;
}

type Client = (origin: string, prompt: string) => Promise<unknown>;

/** One `response.create` on an open socket: the frames up to the terminal event. */
function turn(send: (text: string) => void, onMessage: (cb: (text: string) => void) => () => void) {
  return (body: Record<string, unknown>) =>
    new Promise<string[]>((resolve) => {
      const frames: string[] = [];
      const off = onMessage((text) => {
        frames.push(text);
        const type = (JSON.parse(text) as { type: string }).type;
        if (['response.completed', 'response.failed', 'error'].includes(type)) {
          off();
          resolve(frames);
        }
      });
      send(JSON.stringify({ type: 'response.create', ...body }));
    });
}

const headers = {
  authorization: 'Bearer sk-test-FAKE',
  'openai-beta': 'responses_websockets=2026-02-06',
};

const textOf = (frames: string[]) =>
  frames
    .map((f) => JSON.parse(f) as { type: string; delta?: string })
    .filter((f) => f.type === 'response.output_text.delta')
    .map((f) => f.delta)
    .join('');

/** The `ws` package (what the openai SDK's ResponsesWS uses): prewarm, then a turn. */
const wsClient: Client = async (origin, prompt) => {
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/v1/responses`, { headers });
  await once(ws, 'open');
  const ask = turn(
    (t) => ws.send(t),
    (cb) => {
      const on = (data: WebSocket.RawData) => cb(data.toString());
      ws.on('message', on);
      return () => ws.off('message', on);
    },
  );
  const prewarm = await ask({ model: 'gpt-5-mini', input: [] });
  const frames = await ask({
    model: 'gpt-5-mini',
    input: [{ type: 'message', role: 'user', content: prompt }],
  });
  ws.close();
  await once(ws, 'close');
  return { prewarm: prewarm.length, text: textOf(frames), events: frames.length };
};

/** Node's global WebSocket (undici), with headers as undici accepts them. */
const globalClient: Client = async (origin, prompt) => {
  const Ctor = globalThis.WebSocket as unknown as new (
    url: string,
    init: { headers: Record<string, string> },
  ) => globalThis.WebSocket;
  const ws = new Ctor(`${origin.replace('http', 'ws')}/v1/responses`, { headers });
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const ask = turn(
    (t) => ws.send(t),
    (cb) => {
      const on = (e: MessageEvent) => cb(String(e.data));
      ws.addEventListener('message', on);
      return () => ws.removeEventListener('message', on);
    },
  );
  const frames = await ask({
    model: 'gpt-5-mini',
    input: [{ type: 'message', role: 'user', content: prompt }],
  });
  const closed = new Promise((resolve) => ws.addEventListener('close', resolve));
  ws.close();
  await closed;
  return { text: textOf(frames), events: frames.length };
};

/** The OpenAI Agents SDK over its Responses WebSocket transport, with a tool turn. */
const agentsClient: Client = async (origin, prompt) => {
  const provider = new OpenAIProvider({
    openAIClient: new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries: 0 }),
    useResponses: true,
    useResponsesWebSocket: true,
  });
  const weather = tool({
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => `Sunny in ${city}`,
  });
  const agent = new Agent({
    name: 'Assistant',
    instructions: 'Answer briefly.',
    model: 'gpt-5-mini',
    tools: [weather],
  });
  try {
    const result = await new Runner({ modelProvider: provider, tracingDisabled: true }).run(
      agent,
      prompt,
    );
    return { text: result.finalOutput, items: result.newItems.map((i) => i.type) };
  } finally {
    await provider.close();
  }
};

const scenarios: [string, Client, (u: FakeUpstream) => void, number][] = [
  [
    'a raw ws client (prewarm, then a turn)',
    wsClient,
    (u) => u.enqueue({ kind: 'text', text: 'hi from ws' }),
    2,
  ],
  [
    'the global WebSocket (undici)',
    globalClient,
    (u) => u.enqueue({ kind: 'text', text: 'hi from undici' }),
    1,
  ],
  [
    '@openai/agents over its WebSocket transport, with a tool turn',
    agentsClient,
    (u) =>
      u.enqueue(
        { kind: 'tool', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
        { kind: 'text', text: 'It is sunny in Paris.' },
      ),
    2,
  ],
];

describe('in-process Responses over WebSocket: record, offline replay, parity, divergence', () => {
  test.each(scenarios)('%s', async (_name, client, script, turns) => {
    up = await startFakeUpstream();
    const { url: origin, port } = up;
    script(up);
    const cassette = path.join(tmp(), 'ws.rpk');
    const recorded = await record({ cassette, mode: 'record' }, () =>
      client(origin, 'Weather in Paris?'),
    );
    const frames = up.received.filter((r) => r.websocket === 'frame').length;
    expect(frames).toBe(turns);
    await up.close();
    up = undefined;

    // Every turn is its own exchange with its events, as the listener writes them.
    const { steps } = await loadCassette(cassette);
    const requests = steps.filter((s) => s.type === 'model.request');
    expect(requests).toHaveLength(turns);
    for (const r of requests) {
      expect(r).toMatchObject({ transport: 'websocket', endpoint: 'responses' });
      expect((r.body as { type: string }).type).toBe('response.create');
    }
    const responses = steps.filter((s) => s.type === 'model.response');
    expect(responses).toHaveLength(turns);
    for (const r of responses) {
      expect(r.stream?.format).toBe('websocket');
      expect(r.stream?.state).toBe('completed');
      expect(r.stream?.events.length).toBeGreaterThan(1);
    }

    tripwire = await startTripwire(port);
    const replayed = await record({ cassette, mode: 'replay' }, () =>
      client(origin, 'Weather in Paris?'),
    );
    expect(replayed.value).toEqual(recorded.value);
    expect(replayed.exchanges).toBe(turns);
    expect(replayed.unused).toEqual([]);
    expect(tripwire.hits).toBe(0);

    await expectReplayParity(cassette);
    await expectReplayParity(cassette, () => client(origin, 'Weather in Paris?'));

    // The client sees the miss its own way (the Agents SDK raises on the `error` frame); the
    // recording reports the divergence with the JSON path of the change.
    const changed = await record({ cassette, mode: 'replay' });
    await client(origin, 'Weather in Rome?').catch(() => undefined);
    const { divergences } = await changed.stop();
    expect(divergences[0]).toBeInstanceOf(ReplayDivergenceError);
    expect(divergences[0]?.details.difference?.path).toMatch(/^body\.input\[0\]\.content/);
    expect(divergences[0]?.message).toContain('Rome');
    expect(tripwire.hits).toBe(0);
  });
});
