import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { ExchangeRecorder, ExchangeStart } from '../../../src/listener/capture-hooks.ts';
import { createGateway, type Gateway } from '../../../src/listener/index.ts';
import { startUpstream, type TestUpstream } from './upstream.ts';

let upstream: TestUpstream;
let gateway: Gateway;

beforeEach(async () => {
  upstream = await startUpstream();
  gateway = await createGateway({
    port: 0,
    upstreams: { openai: upstream.url, anthropic: upstream.url, gemini: upstream.url },
  });
});

afterEach(async () => {
  await gateway.close({ drainTimeoutMs: 100 });
  await upstream.close();
});

describe('HTTP pass-through', () => {
  test('a JSON response comes back with its status, body and provider headers unchanged', async () => {
    upstream.handle((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-request-id': 'req_abc123',
        'x-ratelimit-remaining-requests': '4999',
        'openai-processing-ms': '12',
      });
      res.end('{"id":"resp_1","output":[]}');
    });
    const r = await fetch(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test-FAKE', 'content-type': 'application/json' },
      body: '{"model":"gpt-test","input":"hi"}',
    });
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('{"id":"resp_1","output":[]}');
    expect(r.headers.get('x-request-id')).toBe('req_abc123');
    expect(r.headers.get('x-ratelimit-remaining-requests')).toBe('4999');
    expect(r.headers.get('openai-processing-ms')).toBe('12');
    const seen = upstream.received[0]!;
    expect(seen.url).toBe('/v1/responses');
    expect(seen.body).toBe('{"model":"gpt-test","input":"hi"}');
    expect(seen.headers.authorization).toBe('Bearer sk-test-FAKE');
    expect(seen.headers.host).toBe(new URL(upstream.url).host);
  });

  test('Anthropic headers and ?beta=true reach the upstream as sent', async () => {
    upstream.handle((_req, res) => res.writeHead(200, { 'request-id': 'req_ant' }).end('{}'));
    const r = await fetch(`${gateway.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'x-api-key': 'sk-ant-test-FAKE',
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'tools-2024',
      },
      body: '{}',
    });
    expect(r.headers.get('request-id')).toBe('req_ant');
    const seen = upstream.received[0]!;
    expect(seen.url).toBe('/v1/messages?beta=true');
    expect(seen.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen.headers['anthropic-beta']).toBe('tools-2024');
    expect(seen.headers['x-api-key']).toBe('sk-ant-test-FAKE');
  });

  test('OpenAI routes without /v1 are forwarded with it', async () => {
    upstream.handle((_req, res) => res.writeHead(200).end('{"object":"list","data":[]}'));
    const r = await fetch(`${gateway.url}/models`);
    expect(await r.text()).toBe('{"object":"list","data":[]}');
    expect(upstream.received[0]!.url).toBe('/v1/models');
  });

  test('provider error responses pass through with status, body and headers unchanged', async () => {
    const body =
      '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"},"request_id":"req_429"}';
    upstream.handle((_req, res) => {
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': '7',
        'request-id': 'req_429',
        'anthropic-ratelimit-requests-remaining': '0',
      });
      res.end(body);
    });
    const r = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'anthropic-version': '2023-06-01' },
      body: '{}',
    });
    expect(r.status).toBe(429);
    expect(await r.text()).toBe(body);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(r.headers.get('request-id')).toBe('req_429');
    expect(r.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(gateway.health().counts.errors).toBe(1);
  });

  test('an unreachable upstream gives a provider-shaped 502 naming the upstream', async () => {
    const dead = await startUpstream();
    await dead.close();
    const g = await createGateway({
      port: 0,
      upstreams: { openai: dead.url, anthropic: dead.url },
    });
    try {
      const r = await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
      expect(r.status).toBe(502);
      const json = (await r.json()) as { error: { message: string; type: string; code: string } };
      expect(json.error.code).toBe('upstream_unreachable');
      expect(json.error.message).toContain(
        '[replaykit] Failed to forward "POST /v1/chat/completions"',
      );
      expect(json.error.message).toContain(dead.url);
      expect(json.error.message).toContain('--upstream openai=URL');

      const a = await fetch(`${g.url}/v1/messages`, {
        method: 'POST',
        headers: { 'anthropic-version': '2023-06-01' },
        body: '{}',
      });
      const aj = (await a.json()) as { type: string; error: { type: string } };
      expect(a.status).toBe(502);
      expect(aj.type).toBe('error');
      expect(aj.error.type).toBe('api_error');
      expect(g.health().counts).toMatchObject({ requests: 2, errors: 2 });
    } finally {
      await g.close();
    }
  });
});

describe('streams', () => {
  test('SSE events reach the client while the upstream is still streaming, bytes unchanged', async () => {
    let clientSawFirst!: () => void;
    const firstSeen = new Promise<void>((resolve) => {
      clientSawFirst = resolve;
    });
    const first = 'event: message_start\ndata: {"type":"message_start"}\n\n';
    const rest = [
      'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"hi"}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ];
    upstream.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_sse' });
      res.write(first);
      // Hold the stream open until the client has the first event: a buffering proxy deadlocks
      // here and the test times out.
      void firstSeen.then(() => {
        for (const chunk of rest) res.write(chunk);
        res.end();
      });
    });
    const r = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'anthropic-version': '2023-06-01', accept: 'text/event-stream' },
      body: '{"stream":true}',
    });
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    expect(r.headers.get('request-id')).toBe('req_sse');
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let sawFirstBeforeEnd = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (!sawFirstBeforeEnd && text.includes('message_start')) {
        sawFirstBeforeEnd = !text.includes('message_stop');
        clientSawFirst();
      }
    }
    expect(sawFirstBeforeEnd).toBe(true);
    expect(text).toBe(first + rest.join(''));
  });

  test('an upstream that disconnects mid-stream cuts the client stream (no fake clean end)', async () => {
    upstream.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"object":"chat.completion.chunk"}\n\n');
      setImmediate(() => res.socket?.destroy());
    });
    const r = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(200);
    await expect(r.text()).rejects.toThrow();
    expect(gateway.health().counts.errors).toBe(1);
  });
});

describe('WebSocket', () => {
  test('frames are relayed both ways and the upstream sees the client headers', async () => {
    const ws = new WebSocket(`${gateway.url.replace('http', 'ws')}/v1/responses`, {
      headers: {
        authorization: 'Bearer sk-test-FAKE',
        'openai-beta': 'responses_websockets=2026-02-06',
      },
    });
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send('{"type":"response.create"}'));
      ws.on('message', (data) => {
        got.push(data.toString());
        if (got.length === 2) resolve();
      });
      ws.on('error', reject);
    });
    expect(got[0]).toBe('echo:{"type":"response.create"}');
    expect(JSON.parse(got[1]!)).toMatchObject({ type: 'response.completed' });
    expect(upstream.wsUpgrades[0]!.authorization).toBe('Bearer sk-test-FAKE');
    expect(upstream.wsUpgrades[0]!['openai-beta']).toBe('responses_websockets=2026-02-06');
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.send('close-me');
    expect(await closed).toBe(4001);
  });

  test('an upstream that refuses the upgrade refuses the client the same way', async () => {
    upstream.refuseUpgrade(426, '{"error":{"message":"no websockets here"}}');
    const ws = new WebSocket(`${gateway.url.replace('http', 'ws')}/v1/responses`);
    const response = await new Promise<{ status: number; body: string; id: string }>((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            id: String(res.headers['x-request-id']),
          }),
        );
      });
      ws.on('error', () => {});
    });
    expect(response).toEqual({
      status: 426,
      body: '{"error":{"message":"no websockets here"}}',
      id: 'req_refused',
    });
  });
});

describe('routes, health, tokens', () => {
  test('an unsupported OpenAI route gets an OpenAI-shaped error naming it, the supported routes and a hint', async () => {
    const r = await fetch(`${gateway.url}/v1/assistants`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toBe('application/json');
    const json = (await r.json()) as { error: { message: string; type: string; code: string } };
    expect(json.error.type).toBe('invalid_request_error');
    expect(json.error.code).toBe('unsupported_route');
    expect(json.error.message).toContain('Failed to route "POST /v1/assistants"');
    expect(json.error.message).toContain('POST /v1/chat/completions');
    expect(json.error.message).toContain('replaypack listen env');
    expect(upstream.received).toHaveLength(0);
  });

  test('unsupported routes answer in the Anthropic and Gemini shapes when the client is one', async () => {
    const a = await fetch(`${gateway.url}/v1/complete`, {
      method: 'POST',
      headers: { 'anthropic-version': '2023-06-01' },
      body: '{}',
    });
    const aj = (await a.json()) as { type: string; error: { type: string; message: string } };
    expect(aj.type).toBe('error');
    expect(aj.error.message).toContain('POST /v1/messages');
    const g = await fetch(`${gateway.url}/v1beta/models/gemini-test:predict`, { method: 'POST' });
    const gj = (await g.json()) as { error: { code: number; status: string; message: string } };
    expect(gj.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect(gj.error.message).toContain('Failed to route "POST /v1beta/models/gemini-test:predict"');
  });

  test('GET /__replaykit/health reports identity, mode and counters', async () => {
    upstream.handle((_req, res) => res.writeHead(200).end('{}'));
    await fetch(`${gateway.url}/v1/embeddings`, { method: 'POST', body: '{}' });
    const r = await fetch(`${gateway.url}/__replaykit/health`);
    const h = await r.json();
    expect(h).toMatchObject({
      status: 'running',
      pid: process.pid,
      instance_id: gateway.instanceId,
      port: gateway.port,
      url: gateway.url,
      mode: 'live',
      policy: 'live_only',
      counts: { requests: 1, errors: 0, synthetic: 0 },
      degraded: false,
    });
    expect(typeof h.uptime_s).toBe('number');
  });

  test('with a token, requests without x-replaykit-token are refused and the token is not forwarded', async () => {
    upstream.handle((_req, res) => res.writeHead(200).end('{}'));
    const g = await createGateway({
      port: 0,
      token: 'tok-FAKE',
      upstreams: { openai: upstream.url },
    });
    try {
      const denied = await fetch(`${g.url}/v1/models`);
      expect(denied.status).toBe(401);
      expect(((await denied.json()) as { error: { message: string } }).error.message).toContain(
        'x-replaykit-token',
      );
      const ok = await fetch(`${g.url}/v1/models`, {
        headers: { 'x-replaykit-token': 'tok-FAKE' },
      });
      expect(ok.status).toBe(200);
      expect(upstream.received).toHaveLength(1);
      expect(upstream.received[0]!.headers['x-replaykit-token']).toBeUndefined();
    } finally {
      await g.close();
    }
  });
});

describe('capture hooks and shutdown', () => {
  test('the capture hook sees request, head, each chunk and the end of a stream', async () => {
    const calls: string[] = [];
    const starts: ExchangeStart[] = [];
    const recorder: ExchangeRecorder = {
      requestBody: (b) => calls.push(`body:${Buffer.from(b).toString()}`),
      responseHead: (s) => calls.push(`head:${s}`),
      responseChunk: (c) => calls.push(`chunk:${Buffer.from(c).toString()}`),
      responseEnd: () => calls.push('end'),
    };
    const g = await createGateway({
      port: 0,
      upstreams: { openai: upstream.url },
      capture: {
        open: (s) => {
          starts.push(s);
          return recorder;
        },
        close: async () => ['/tmp/fake.rpk'],
      },
    });
    upstream.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      setImmediate(() => res.end('data: [DONE]\n\n'));
    });
    await (
      await fetch(`${g.url}/v1/chat/completions`, { method: 'POST', body: '{"stream":true}' })
    ).text();
    const result = await g.close();
    expect(result.artifacts).toEqual(['/tmp/fake.rpk']);
    expect(starts[0]).toMatchObject({
      method: 'POST',
      url: '/v1/chat/completions',
      transport: 'http',
      route: { provider: 'openai', endpoint: 'chat.completions' },
    });
    expect(calls).toContain('body:{"stream":true}');
    expect(calls).toContain('head:200');
    expect(calls.filter((c) => c.startsWith('chunk:')).join('')).toBe(
      'chunk:data: 1\n\nchunk:data: [DONE]\n\n',
    );
    expect(calls.at(-1)).toBe('end');
  });

  test('a capture hook that throws never breaks the response; health shows degraded', async () => {
    const faults: string[] = [];
    const g = await createGateway({
      port: 0,
      upstreams: { openai: upstream.url },
      capture: {
        open: () => ({
          responseChunk: () => {
            throw new Error('disk full');
          },
        }),
        close: async () => [],
      },
      onCaptureFault: (error, hook) => faults.push(`${hook}: ${(error as Error).message}`),
    });
    try {
      upstream.handle((_req, res) => res.writeHead(200).end('{"ok":true}'));
      const r = await fetch(`${g.url}/v1/responses`, { method: 'POST', body: '{}' });
      expect(await r.text()).toBe('{"ok":true}');
      expect(faults).toEqual(['responseChunk: disk full']);
      expect(g.health()).toMatchObject({ degraded: true, counts: { capture_faults: 1 } });
    } finally {
      await g.close();
    }
  });

  test('shutdown waits for an in-flight stream to finish before sealing', async () => {
    let finish!: () => void;
    upstream.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: a\n\n');
      finish = () => res.end('data: b\n\n');
    });
    const r = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    const reader = r.body!.getReader();
    await reader.read();
    const closing = gateway.close({ drainTimeoutMs: 20_000 });
    expect(gateway.health().status).toBe('draining');
    finish();
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toContain('data: b');
    expect((await closing).interrupted).toBe(0);
  });

  test('shutdown cuts a stream that outlives the drain timeout and reports it', async () => {
    upstream.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: a\n\n');
    });
    const r = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    const reader = r.body!.getReader();
    await reader.read();
    const result = await gateway.close({ drainTimeoutMs: 50 });
    expect(result.interrupted).toBe(1);
    await expect(reader.read()).rejects.toThrow();
  });

  test('POST /__replaykit/shutdown without the control token is refused', async () => {
    const r = await fetch(`${gateway.url}/__replaykit/shutdown`, { method: 'POST' });
    expect(r.status).toBe(403);
    expect(gateway.health().status).toBe('running');
  });
});
