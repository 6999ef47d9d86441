/**
 * The bystander guarantee in the listener (issue 21), where it applies: a client that uses the
 * listener as its proxy gets non-provider targets tunnelled untouched, and a clear answer, never a
 * dropped socket, for a provider upstream (which a tunnel would carry past capture), for a
 * listener that needs a token, for an unreachable target, and for a WebSocket upgrade on a route
 * the listener does not forward.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { ProxyAgent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createGateway, type Gateway } from '../../../src/listener/index.ts';
import { startUpstream, type TestUpstream } from './upstream.ts';

let upstream: TestUpstream;
let gateway: Gateway;
let other: http.Server;
let otherUrl: string;

beforeAll(async () => {
  upstream = await startUpstream();
  gateway = await createGateway({
    port: 0,
    upstreams: { openai: upstream.url, anthropic: upstream.url, gemini: upstream.url },
  });
  other = http.createServer((req, res) => res.end(`other ${req.method} ${req.url}`));
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await gateway.close({ drainTimeoutMs: 100 });
  await upstream.close();
  other.close();
});

/** A raw CONNECT: the status line, and the body of a refusal, as a client's socket sees them. */
function connectTo(listener: string, target: string): Promise<string> {
  const { port } = new URL(listener);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`);
    });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('CONNECT', () => {
  test('a non-provider target is tunnelled untouched (undici ProxyAgent through the listener)', async () => {
    const agent = new ProxyAgent(gateway.url);
    try {
      const response = await request(`${otherUrl}/health?x=1`, { dispatcher: agent });
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('other GET /health?x=1');
    } finally {
      await agent.close();
    }
    expect(upstream.received).toHaveLength(0);
  });

  test('a provider upstream is refused with a 403 that says how to route it for capture', async () => {
    const target = new URL(upstream.url).host;
    const answer = await connectTo(gateway.url, target);
    expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(answer).toContain(
      `[replaykit] Failed to open a tunnel to "${target}": it is a provider upstream, whose traffic would pass the listener unrecorded inside a tunnel. Set the SDK's base URL to ${gateway.url} instead ("npx replaypack listen env" prints the lines).`,
    );
    expect(upstream.received).toHaveLength(0);
  });

  test('an unreachable target gets a 502 naming it', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const target = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const answer = await connectTo(gateway.url, target);
    expect(answer).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
    expect(answer).toContain(
      `[replaykit] Failed to open a tunnel to "${target}": connect ECONNREFUSED`,
    );
  });

  test('a default port in the target is a port (host:80, [::1]:80): the tunnel is tried, not a 400', async () => {
    // Nothing listens on port 80 of the loopback: a tried tunnel answers 502 naming the target.
    for (const target of ['127.0.0.1:80', '[::1]:80', 'localhost:443']) {
      const answer = await connectTo(gateway.url, target);
      expect(answer, target).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
      expect(answer).toContain(`[replaykit] Failed to open a tunnel to "${target}": connect `);
    }
    const malformed = await connectTo(gateway.url, '127.0.0.1');
    expect(malformed).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  test('a known provider host is refused even when its upstream is overridden', async () => {
    // Every upstream here is the loopback fake: api.openai.com is no configured upstream, and
    // a tunnel to it would carry the provider's traffic past capture.
    for (const target of [
      'api.openai.com:443',
      'API.Anthropic.com:443',
      'generativelanguage.googleapis.com:443',
    ]) {
      const answer = await connectTo(gateway.url, target);
      expect(answer, target).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
      expect(answer).toContain('it is a provider upstream');
    }
    expect(upstream.received).toHaveLength(0);
  });

  test('a listener that needs a token tunnels nothing', async () => {
    const guarded = await createGateway({ port: 0, token: 'tok-test-FAKE' });
    try {
      const answer = await connectTo(guarded.url, new URL(otherUrl).host);
      expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
      expect(answer).toContain('this listener requires a token, so it tunnels nothing');
    } finally {
      await guarded.close({ drainTimeoutMs: 100 });
    }
  });
});

test('a WebSocket upgrade on a route the listener does not forward gets a 404, not a dropped socket', async () => {
  const ws = new WebSocket(`${gateway.url.replace('http', 'ws')}/not/a/route`);
  const status = await new Promise<number>((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => undefined);
  });
  ws.terminate();
  expect(status).toBe(404);
});
