/**
 * Capture through the gateway into a real cassette: JSON, SSE (event by event), gzip bodies,
 * WebSocket turns, upstream failures, and a listener killed mid-stream.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { ModelRequest, ModelResponse, Step } from '../../../src/cassette/schema.ts';
import { createListenerCapture } from '../../../src/listener/capture.ts';
import { createGateway, type Gateway } from '../../../src/listener/index.ts';
import { isPidAlive } from '../../../src/listener/status.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { replaypack } from '../../support/cli.ts';
import { startUpstream, type TestUpstream } from './upstream.ts';

let dir: string;
let upstream: TestUpstream;
let gateway: Gateway;
let artifact: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-capture-'));
  upstream = await startUpstream();
  artifact = join(dir, 'run.rpk');
  gateway = await createGateway({
    port: 0,
    upstreams: { openai: upstream.url, anthropic: upstream.url, gemini: upstream.url },
    capture: createListenerCapture({ artifact }),
  });
});
afterEach(async () => {
  await gateway.close({ drainTimeoutMs: 100 });
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

const of = <T extends Step['type']>(steps: Step[], type: T) =>
  steps.filter((s) => s.type === type) as Extract<Step, { type: T }>[];

test('a JSON exchange is written as a redacted request and its response; stop seals the file', async () => {
  upstream.handle((_req, res) =>
    res
      .writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_json' })
      .end(
        '{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}]}',
      ),
  );
  await (
    await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk-test-FAKEFAKEFAKEFAKEFAKEFAKE',
        'content-type': 'application/json',
      },
      body: '{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}',
    })
  ).text();
  const result = await gateway.close();
  expect(result.artifacts).toEqual([artifact]);
  const cassette = await loadCassette(artifact);
  expect(cassette.header).toMatchObject({ capture: 'passive', response_source: 'live' });
  expect(cassette.seal).toBeDefined();
  const [request] = of(cassette.steps, 'model.request') as ModelRequest[];
  const [response] = of(cassette.steps, 'model.response') as ModelResponse[];
  expect(request).toMatchObject({
    provider: 'openai',
    endpoint: 'chat.completions',
    model: 'gpt-test',
  });
  expect(response).toMatchObject({ status: 200, request_id: 'req_json' });
  expect(response!.correlation_id).toBe(request!.correlation_id);
  expect(readFileSync(artifact, 'utf8')).not.toContain('sk-test-FAKEFAKEFAKEFAKEFAKEFAKE');
});

test('an SSE stream is written event by event while it is still open', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  upstream.handle((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_sse' });
    res.write(
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","model":"claude-test","usage":{"input_tokens":1}}}\n\n',
    );
    res.write(
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
    );
    res.write(
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n',
    );
    void held.then(() => {
      res.write('event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n');
      res.write(
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}\n\n',
      );
      res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
    });
  });
  const r = await fetch(`${gateway.url}/v1/messages`, {
    method: 'POST',
    headers: { 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: '{"model":"claude-test","stream":true,"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}',
  });
  const reader = r.body!.getReader();
  let text = '';
  while (!text.includes('text_delta'))
    text += new TextDecoder().decode((await reader.read()).value);
  // The stream is open: its head and first events are already in the file (text deltas may be
  // held back briefly by redaction's lookahead, so a secret split across deltas is seen whole).
  const partial = readFileSync(artifact, 'utf8');
  expect(partial).toContain('"type":"stream.open"');
  expect(partial).toMatch(/"type":"stream\.event".*"message_start"/);
  release();
  while (!(await reader.read()).done) {}
  await gateway.close();
  const [response] = of((await loadCassette(artifact)).steps, 'model.response');
  expect(response!.stream).toMatchObject({ format: 'sse', state: 'completed' });
  expect(response!.stream!.events).toHaveLength(6);
  expect(response!.assembled).toMatchObject({ text: 'Hi', stop_reason: 'end_turn' });
});

test('a gzip response reaches the client compressed and is stored decoded', async () => {
  const body = '{"object":"list","data":[{"id":"gpt-test","object":"model"}]}';
  upstream.handle((_req, res) =>
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
      .end(gzipSync(body)),
  );
  const r = await fetch(`${gateway.url}/v1/models`, { headers: { 'accept-encoding': 'gzip' } });
  expect(await r.text()).toBe(body); // fetch decodes: the bytes arrived gzip-encoded and intact
  await gateway.close();
  const [response] = of((await loadCassette(artifact)).steps, 'model.response');
  expect(response!.body).toEqual(JSON.parse(body));
  expect(response!.headers['content-encoding']).toBeUndefined();
});

test('each WebSocket response.create is captured as its own exchange with the frames as events', async () => {
  const ws = new WebSocket(`${gateway.url.replace('http', 'ws')}/v1/responses`);
  await new Promise<void>((resolve, reject) => {
    let seen = 0;
    ws.on('open', () => ws.send('{"type":"response.create","model":"gpt-test","input":"hi"}'));
    ws.on('message', () => {
      seen++;
      if (seen === 2) ws.send('{"type":"response.create","model":"gpt-test","input":"again"}');
      if (seen === 4) resolve();
    });
    ws.on('error', reject);
  });
  ws.close();
  await new Promise((resolve) => ws.on('close', resolve));
  await gateway.close();
  const steps = (await loadCassette(artifact)).steps;
  const requests = of(steps, 'model.request');
  expect(requests).toHaveLength(2);
  expect(requests[0]).toMatchObject({ transport: 'websocket', endpoint: 'responses' });
  const responses = of(steps, 'model.response');
  expect(responses).toHaveLength(2);
  expect(responses[0]!.stream).toMatchObject({ format: 'websocket', state: 'completed' });
});

test('an unreachable upstream is written as an error event for that request', async () => {
  const dead = await startUpstream();
  await dead.close();
  const g = await createGateway({
    port: 0,
    upstreams: { openai: dead.url },
    capture: createListenerCapture({ artifact: join(dir, 'dead.rpk') }),
  });
  await fetch(`${g.url}/v1/responses`, {
    method: 'POST',
    body: '{"model":"gpt-test","input":"x"}',
  });
  await g.close();
  const steps = (await loadCassette(join(dir, 'dead.rpk'))).steps;
  const [request] = of(steps, 'model.request');
  const [error] = of(steps, 'error.event');
  expect(error).toMatchObject({ source: 'upstream', correlation_id: request!.correlation_id });
});

test('kill -9 of a started listener mid-stream leaves a readable artifact with the stream marked interrupted', async () => {
  upstream.handle((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(
      'event: response.created\ndata: {"type":"response.created","response":{"id":"resp_1"}}\n\n',
    );
  });
  const home = join(dir, 'home');
  const env = { REPLAYKIT_HOME: home };
  const started = await replaypack(
    [
      'listen',
      'start',
      '--port',
      '0',
      '--out',
      join(dir, 'out'),
      '--upstream',
      `openai=${upstream.url}`,
      '--json',
    ],
    { env },
  );
  expect(started.exitCode).toBe(0);
  const { url, pid, artifact: file } = JSON.parse(started.stdout);
  try {
    const r = await fetch(`${url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model":"gpt-test","input":"hi","stream":true}',
    });
    const reader = r.body!.getReader();
    await reader.read();
    process.kill(pid, 'SIGKILL');
    await reader.read().catch(() => {});
    const cassette = await loadCassette(file);
    const [response] = of(cassette.steps, 'model.response');
    expect(response!.stream).toMatchObject({ state: 'interrupted' });
    expect(response!.stream!.events.length).toBeGreaterThan(0);
    expect((await replaypack(['listen', 'status', '--json'], { env })).stdout).toContain('"stale"');
  } finally {
    if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});
