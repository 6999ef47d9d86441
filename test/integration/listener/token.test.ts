/**
 * With a client token (required for non-loopback binds), every route refuses a request without
 * it: provider routes, unsupported routes, control routes and the WebSocket upgrade, in live and
 * local modes; and `x-replaykit-token` never reaches the upstream, over HTTP or WebSocket.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createGateway, type Gateway } from '../../../src/listener/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

const TOKEN = 'rk-client-token-FAKE';
let up: FakeUpstream;
let gateway: Gateway;
beforeEach(async () => {
  up = await startFakeUpstream();
  gateway = await createGateway({ port: 0, token: TOKEN, upstreams: { openai: up.url } });
});
afterEach(async () => {
  await gateway.close({ drainTimeoutMs: 100 });
  await up.close();
});

const ROUTES: [string, string][] = [
  ['POST', '/v1/chat/completions'],
  ['GET', '/v1/models'],
  ['POST', '/v1/not-a-route'],
  ['GET', '/__replaykit/health'],
  ['POST', '/__replaykit/shutdown'],
];

test.each(ROUTES)('%s %s without the token is a provider-shaped 401', async (method, path) => {
  const r = await fetch(`${gateway.url}${path}`, {
    method,
    ...(method === 'POST' ? { body: '{"model":"gpt-test","messages":[]}' } : {}),
  });
  expect(r.status).toBe(401);
  expect((await r.json()).error.code).toBe('replaykit_token_required');
  expect(up.received).toHaveLength(0);
});

test('the WebSocket upgrade needs the token, and the token is never forwarded', async () => {
  const wsUrl = `${gateway.url.replace('http', 'ws')}/v1/responses`;
  const refused = await new Promise<number>((resolve) => {
    const ws = new WebSocket(wsUrl);
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => resolve(101));
  });
  expect(refused).toBe(401);
  const ws = new WebSocket(wsUrl, { headers: { 'x-replaykit-token': TOKEN } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.close();
  const r = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'x-replaykit-token': TOKEN, 'content-type': 'application/json' },
    body: '{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}',
  });
  expect(r.status).toBe(200);
  expect(up.received.length).toBeGreaterThanOrEqual(2);
  for (const req of up.received) expect(req.headers['x-replaykit-token']).toBeUndefined();
});

test('local modes check the token too', async () => {
  const synthetic = await createGateway({ port: 0, mode: 'synthetic', token: TOKEN });
  const url = `${synthetic.url}/v1/chat/completions`;
  const body = '{"model":"gpt-test","messages":[]}';
  expect((await fetch(url, { method: 'POST', body })).status).toBe(401);
  const ok = await fetch(url, { method: 'POST', body, headers: { 'x-replaykit-token': TOKEN } });
  expect(ok.status).toBe(200);
  await synthetic.close();
});
