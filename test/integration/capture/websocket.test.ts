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
import tls from 'node:tls';
import { ClientRequestInterceptor } from '@mswjs/interceptors/ClientRequest';
import { Agent, Runner, tool } from '@openai/agents';
import { OpenAIProvider } from '@openai/agents-openai';
import OpenAI from 'openai';
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { createCassetteWriter } from '../../../src/cassette/writer.ts';
import {
  expectReplayParity,
  ReplayDivergenceError,
  ReplayKitError,
  record,
  replayCassette,
  VERSION,
} from '../../../src/index.ts';
import { normalizeStep } from '../../../src/pipeline/canonical.ts';
import { CapturePipeline } from '../../../src/pipeline/capture.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { createRedactor } from '../../../src/redaction/index.ts';
import { replaypack } from '../../support/cli.ts';
import {
  type FakeUpstream,
  type FakeUpstreamOptions,
  startFakeUpstream,
} from '../../support/fake-upstream/index.ts';
import { createPrivateCa } from '../frameworks/private-ca.ts';

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
    await roundTrip(client, script, turns);
  });

  test('wss:// to a TLS upstream (a raw ws client; the CA trusted through Node defaults)', async () => {
    const pki = await createPrivateCa();
    // The upstream socket replaykit opens trusts what Node trusts (NODE_EXTRA_CA_CERTS in a
    // real setup): a private CA is added to Node's defaults for this test only.
    const defaults = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...defaults, pki.ca]);
    try {
      await roundTrip(wsClient, (u) => u.enqueue({ kind: 'text', text: 'hi over TLS' }), 2, {
        tls: { key: pki.key, cert: pki.cert },
      });
    } finally {
      tls.setDefaultCACertificates(defaults);
    }
  });
});

/** Record, offline replay behind a tripwire, parity both ways, and a changed prompt diverging. */
async function roundTrip(
  client: Client,
  script: (u: FakeUpstream) => void,
  turns: number,
  options: FakeUpstreamOptions = {},
) {
  up = await startFakeUpstream(options);
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
}

describe('replay pacing', () => {
  test('replaySpeed 1 serves the recorded frames paced, and the client gets the same answer', async () => {
    up = await startFakeUpstream();
    up.enqueue({ kind: 'text', text: 'paced words arrive one by one', delayMs: 5 });
    const cassette = path.join(tmp(), 'paced.rpk');
    const live = await record({ cassette, mode: 'record' }, () => globalClient(up!.url, 'hi'));
    const { url: origin, port } = up;
    await up.close();
    up = undefined;
    tripwire = await startTripwire(port);
    const paced = await record({ cassette, mode: 'replay', replaySpeed: 1 }, () =>
      globalClient(origin, 'hi'),
    );
    expect(paced.value).toEqual(live.value);
    expect(tripwire.hits).toBe(0);
  });
});

describe('a client that goes away mid-turn', () => {
  test('closing the socket mid-stream writes the turn as interrupted, with the frames it got', async () => {
    up = await startFakeUpstream();
    up.enqueue({ kind: 'text', text: 'one two three four five six', delayMs: 20 });
    const cassette = path.join(tmp(), 'cut.rpk');
    const rec = await record({ cassette, mode: 'record' });
    const ws = new WebSocket(`${up.url.replace('http', 'ws')}/v1/responses`, { headers });
    await once(ws, 'open');
    ws.send(
      JSON.stringify({
        type: 'response.create',
        model: 'gpt-5-mini',
        input: [{ type: 'message', role: 'user', content: 'count' }],
      }),
    );
    let got = 0;
    await new Promise<void>((resolve) =>
      ws.on('message', () => {
        if (++got === 3) resolve();
      }),
    );
    ws.close();
    await once(ws, 'close');
    await rec.stop();
    const { steps } = await loadCassette(cassette);
    const response = steps.find((s) => s.type === 'model.response');
    expect(response?.stream?.state).toBe('interrupted');
    expect(response?.stream?.events.length).toBeGreaterThanOrEqual(3);
    expect(response?.stream?.events.at(-1)?.data).not.toMatchObject({ type: 'response.completed' });
    await expectReplayParity(cassette);
  });
});

describe('a socket kept open across recordings', () => {
  test('the Agents SDK reuses its socket: each recording still gets its own turns', async () => {
    up = await startFakeUpstream();
    up.enqueue({ kind: 'text', text: 'first' }, { kind: 'text', text: 'second' });
    // Built once, as a module-level client is: the SDK keeps one socket per model and reuses it.
    const provider = new OpenAIProvider({
      openAIClient: new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 }),
      useResponses: true,
      useResponsesWebSocket: true,
    });
    const runner = new Runner({ modelProvider: provider, tracingDisabled: true });
    const agent = new Agent({ name: 'Assistant', model: 'gpt-5-mini' });
    const dir = tmp();
    try {
      const texts: unknown[] = [];
      for (const name of ['one', 'two']) {
        const cassette = path.join(dir, `${name}.rpk`);
        const { value } = await record({ cassette, mode: 'record' }, () =>
          runner.run(agent, `Say ${name}`),
        );
        texts.push(value.finalOutput);
        const { steps } = await loadCassette(cassette);
        const turns = steps.filter((s) => s.type === 'model.request');
        expect(turns).toHaveLength(1);
        expect(JSON.stringify(turns[0]?.body)).toContain(`Say ${name}`);
      }
      expect(texts).toEqual(['first', 'second']);
      // The stopped recording closed the first socket; the SDK opened a second for the next.
      expect(up.received.filter((r) => r.websocket === 'upgrade')).toHaveLength(2);
    } finally {
      await provider.close();
    }
  });
});

/**
 * What the recorder wrote before in-process WebSocket capture (issue 13): the handshake went
 * through the shared pipeline as a request without a body and a `101` without events.
 */
function writeBareHandshakes(file: string): void {
  const redactor = createRedactor();
  const writer = createCassetteWriter(file, {
    header: {
      run_id: 'bare-handshakes',
      capture: 'sdk',
      response_source: 'live',
      tool: { name: 'replaykit', version: VERSION },
      redaction: redactor.policy,
    },
    normalize: normalizeStep,
    replace: true,
  });
  const pipeline = new CapturePipeline({ sink: writer, redactor, clock: () => 0 });
  for (let i = 0; i < 2; i++) {
    const exchange = pipeline.begin({
      method: 'GET',
      url: '/v1/responses',
      headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13' },
      body: null,
      transport: 'http',
    });
    exchange?.head(101, { upgrade: 'websocket', connection: 'Upgrade' });
    exchange?.end();
  }
  writer.seal();
}

describe('a WebSocket that cannot be captured never passes for a recording', () => {
  test('a cassette of bare handshakes (no turn) fails parity and replaypack assert', async () => {
    const cassette = path.join(tmp(), 'bare.rpk');
    writeBareHandshakes(cassette);
    const summary = await replayCassette(cassette);
    expect(summary.equal).toBe(false);
    expect(summary.divergences[0]).toMatchObject({ kind: 'handshake', exchange: 0 });
    expect(summary.divergences[0]?.message).toContain('WebSocket handshake with no turn');

    const parity = await expectReplayParity(cassette).then(
      () => null,
      (error: unknown) => error,
    );
    expect(parity).toBeInstanceOf(ReplayDivergenceError);
    expect((parity as Error).message).toContain('re-record');

    const cli = await replaypack(['assert', cassette]);
    expect(cli.exitCode).toBe(1);
    expect(cli.stdout + cli.stderr).toContain('WebSocket handshake with no turn');
  });

  test('a provider socket other than the Responses WebSocket (Realtime) is refused at once in record and replay', async () => {
    up = await startFakeUpstream();
    up.enqueue({ kind: 'text', text: 'responses turn' }, { kind: 'text', text: 'again' });
    const { url: origin, port } = up;
    const realtime = async () => {
      const ws = new WebSocket(`${origin.replace('http', 'ws')}/v1/realtime?model=gpt-realtime`, {
        headers,
      });
      const [req, res] = (await once(ws, 'unexpected-response')) as [
        { destroy(): void },
        { statusCode: number; resume(): void },
      ];
      res.resume();
      req.destroy();
      return res.statusCode;
    };
    const both = async () => ({ turn: await wsClient(origin, 'hi'), realtime: await realtime() });
    const cassette = path.join(tmp(), 'realtime.rpk');
    const rec = await record({ cassette, mode: 'record' });
    const live = await both();
    const stopped = await rec.stop().then(
      () => null,
      (error: unknown) => error as ReplayKitError,
    );
    expect(live.realtime).toBe(500);
    expect(stopped?.code).toBe('E_WEBSOCKET_CAPTURE');
    expect(stopped?.message).toContain(
      'Failed to record "GET /v1/realtime" over WebSocket: replaykit captures only the Responses WebSocket',
    );
    expect(up.received.some((r) => r.url.startsWith('/v1/realtime'))).toBe(false);
    await up.close();
    up = undefined;

    tripwire = await startTripwire(port);
    const replay = await record({ cassette, mode: 'replay' });
    const replayed = await both();
    const replayStopped = await replay.stop().then(
      () => null,
      (error: unknown) => error as ReplayKitError,
    );
    expect(replayed).toEqual(live);
    expect(replayStopped?.message).toContain('Failed to replay "GET /v1/realtime" over WebSocket');
    expect(tripwire.hits).toBe(0);
  });

  test('frames out of reach (another interceptor owns the request) fail the recording loudly', async () => {
    up = await startFakeUpstream();
    up.enqueue({ kind: 'text', text: 'never seen' });
    // A second interceptor in the process (as msw's setupServer applies) makes the request's
    // initiator its client object: replaykit cannot reach the connection's frames any more.
    const other = new ClientRequestInterceptor();
    other.apply();
    try {
      const cassette = path.join(tmp(), 'other.rpk');
      const rec = await record({ cassette, mode: 'record' });
      const refused = await wsClient(up.url, 'hi').then(
        () => null,
        (error: unknown) => error as Error,
      );
      expect(refused?.message).toContain('500');
      const stopped = await rec.stop().then(
        () => null,
        (error: unknown) => error as ReplayKitError,
      );
      expect(stopped).toBeInstanceOf(ReplayKitError);
      expect(stopped?.code).toBe('E_WEBSOCKET_CAPTURE');
      expect(stopped?.message).toMatch(
        /^\[replaykit\] Failed to record "GET \/v1\/responses" over WebSocket: .*replaypack listen.*useResponsesWebSocket: false/,
      );
      // Nothing reached the upstream, and the cassette says what happened.
      expect(up.received.filter((r) => r.websocket)).toEqual([]);
      const { steps } = await loadCassette(cassette);
      expect(steps.map((s) => s.type)).toEqual(['error.event']);
      expect(steps[0]).toMatchObject({ source: 'capture', code: 'E_CAPTURE' });

      // Replay mode refuses the same way: the socket is never answered with frames it cannot
      // send, and stop() says why.
      const replay = await record({ cassette, mode: 'replay' });
      await wsClient(up.url, 'hi').catch(() => undefined);
      const replayStopped = await replay.stop().then(
        () => null,
        (error: unknown) => error as ReplayKitError,
      );
      expect(replayStopped?.code).toBe('E_WEBSOCKET_CAPTURE');
      expect(replayStopped?.message).toContain(
        'Failed to replay "GET /v1/responses" over WebSocket',
      );
      expect(up.received.filter((r) => r.websocket)).toEqual([]);
    } finally {
      other.dispose();
    }
  });
});
