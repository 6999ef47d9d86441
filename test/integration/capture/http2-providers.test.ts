/**
 * HTTP/2 to a provider (issue 21): a fetch dispatcher with `allowH2` is captured and replayed;
 * the AWS SDK's default Bedrock Runtime client (HTTP/2 only, through node:http2) is recorded
 * inside `record()` and replayed from the cassette (issue 16 item 4: capture/http2-bridge.ts),
 * never hung, and works untouched before and after. Both talk TLS to a loopback server trusting a private CA.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createCA, createCert } from 'mkcert';
import OpenAI from 'openai';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ReplayDivergenceError, record } from '../../../src/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';

let server: http2.Http2SecureServer;
let base: string;
let ca: string;
const seen: { path: string; version: string }[] = [];
let dir: string;
/** An HTTP/2 session opened before the first record() in this worker, and kept open. */
let early: http2.ClientHttp2Session;

const chatCompletion = {
  id: 'chatcmpl-h2',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'over TLS' },
      finish_reason: 'stop',
      logprobs: null,
    },
  ],
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
};

const converse = {
  output: { message: { role: 'assistant', content: [{ text: 'bedrock answer' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
  metrics: { latencyMs: 1 },
};

const client = (requestHandler?: NodeHttpHandler) =>
  new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: base,
    credentials: { accessKeyId: 'AKIDREPLAYKITTEST', secretAccessKey: 'not-a-secret' },
    ...(requestHandler ? { requestHandler } : {}),
  });
const converseWith = async (c: BedrockRuntimeClient) => {
  try {
    const out = await c.send(
      new ConverseCommand({
        modelId: 'anthropic.claude-3-haiku',
        messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      }),
    );
    return out.output?.message?.content?.[0]?.text;
  } finally {
    c.destroy();
  }
};

/** A POST by hand on an open session: resolves to the body, rejects with the error. */
const converseOn = (
  session: http2.ClientHttp2Session,
  path = '/model/anthropic.claude-3-haiku/converse',
) =>
  new Promise<string>((resolve, reject) => {
    const req = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/json',
    });
    req.on('error', reject);
    req.end('{"messages":[]}');
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
  });

beforeAll(async () => {
  const authority = await createCA({
    organization: 'replaykit test CA',
    countryCode: 'NL',
    state: 'test',
    locality: 'test',
    validity: 2,
  });
  const leaf = await createCert({ ca: authority, domains: ['127.0.0.1'], validity: 2 });
  ca = authority.cert;
  // The default Bedrock client takes no TLS options: trust the test CA process-wide instead.
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), ca]);
  server = http2.createSecureServer({ key: leaf.key, cert: leaf.cert, allowHTTP1: true });
  server.on('request', (req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ path: req.url, version: req.httpVersion });
      const body = req.url.startsWith('/model/') ? converse : chatCompletion;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(path.join(tmpdir(), 'rk-h2-providers-'));
  early = http2.connect(base);
  expect(await converseOn(early)).toContain('bedrock answer');
});
afterAll(() => {
  early?.close();
  server?.close();
});

describe('a fetch dispatcher with allowH2', () => {
  const dispatcher = () => new Agent({ allowH2: true, connect: { ca } });
  // A fresh dispatcher per phase, so its connection is made in that phase.
  const ask = async (agent: Agent) =>
    (
      await new OpenAI({
        apiKey: 'sk-test-FAKE',
        baseURL: `${base}/v1`,
        maxRetries: 0,
        fetchOptions: { dispatcher: agent } as OpenAI.RequestOptions['fetchOptions'],
      }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      })
    ).choices[0]?.message.content;

  test('speaks HTTP/2 outside record(), and is recorded then replayed inside it', async () => {
    seen.length = 0;
    expect(await ask(dispatcher())).toBe('over TLS');
    expect(seen).toEqual([{ path: '/v1/chat/completions', version: '2.0' }]);

    const cassette = path.join(dir, 'allow-h2.rpk');
    const recorded = await record({ cassette, mode: 'record' }, () => ask(dispatcher()));
    expect(recorded).toMatchObject({ value: 'over TLS', exchanges: 1 });
    // Captured because the interceptor's TLS answers ALPN with undici's first choice, HTTP/1.1,
    // and the connection it passes on keeps that choice.
    expect(seen[1]).toEqual({ path: '/v1/chat/completions', version: '1.1' });

    const replayed = await record({ cassette, mode: 'replay' }, () => ask(dispatcher()));
    expect(replayed).toMatchObject({ value: 'over TLS', exchanges: 1 });
    // Served from the cassette: the server saw nothing new.
    expect(seen).toHaveLength(2);
  });

  test('replay answers HTTP/2 to the host the cassette was recorded on from the cassette alone, on any path', async () => {
    // The loopback server is a custom gateway only the cassette knows as OpenAI's: a request on
    // a path no provider module models, without SDK headers, is provider traffic by its host.
    const cassette = path.join(dir, 'gateway-h2.rpk');
    await record({ cassette, mode: 'record' }, () => ask(dispatcher()));
    seen.length = 0;
    const session = http2.connect(base);
    try {
      const inside = record({ cassette, mode: 'replay' }, () =>
        converseOn(session, '/v1/gateway/extras'),
      );
      // Not in the cassette: a divergence, never the network.
      await expect(inside).rejects.toBeInstanceOf(ReplayDivergenceError);
      // The server is the tripwire: replay sent it nothing.
      expect(seen).toEqual([]);
    } finally {
      session.close();
    }
  });
});

describe("the AWS SDK's default Bedrock Runtime client (HTTP/2)", () => {
  test('works before record(), is recorded over HTTP/2 inside it, replayed without the server, works after', async () => {
    seen.length = 0;
    expect(await converseWith(client())).toBe('bedrock answer');
    expect(seen).toEqual([{ path: '/model/anthropic.claude-3-haiku/converse', version: '2.0' }]);

    const cassette = path.join(dir, 'bedrock-h2.rpk');
    const recorded = await record({ cassette, mode: 'record' }, () => converseWith(client()));
    expect(recorded).toMatchObject({ value: 'bedrock answer', exchanges: 1 });
    // Sent on over HTTP/2: the SigV4 signature covers `:authority`.
    expect(seen[1]).toEqual({ path: '/model/anthropic.claude-3-haiku/converse', version: '2.0' });
    const { steps } = await loadCassette(cassette);
    expect(steps.map((s) => `${s.type} ${s.provider}`)).toEqual([
      'model.request bedrock',
      'model.response bedrock',
    ]);

    const replayed = await record({ cassette, mode: 'replay' }, () => converseWith(client()));
    expect(replayed).toMatchObject({ value: 'bedrock answer', exchanges: 1 });
    expect(seen).toHaveLength(2);

    expect(await converseWith(client())).toBe('bedrock answer');
    expect(seen).toHaveLength(3);
  });

  test('a session opened before the first record() is recorded inside it too, and works after', async () => {
    seen.length = 0;
    const cassette = path.join(dir, 'early-session.rpk');
    const inside = await record({ cassette, mode: 'record' }, () => converseOn(early));
    expect(inside.value).toContain('bedrock answer');
    expect(inside.exchanges).toBe(1);
    expect(seen).toHaveLength(1);
    expect(await converseOn(early)).toContain('bedrock answer');
    expect(seen).toHaveLength(2);
  });

  test('a key in the query string of an HTTP/2 request never reaches the cassette', async () => {
    const cassette = path.join(dir, 'query-key.rpk');
    const key = 'AIzaH2queryFAKE0123456789abcdefghijklmn';
    const inside = await record({ cassette, mode: 'record' }, () =>
      converseOn(early, `/model/anthropic.claude-3-haiku/converse?key=${key}`),
    );
    expect(inside.exchanges).toBe(1);
    expect(readFileSync(cassette, 'utf8')).not.toContain(key.slice(4, 20));
  });

  test('the way out the error names (an HTTP/1.1 handler) goes through inside record()', async () => {
    seen.length = 0;
    const cassette = path.join(dir, 'bedrock-http1.rpk');
    const handler = new NodeHttpHandler({ httpsAgent: { ca } });
    const result = await record({ cassette, mode: 'record' }, () => converseWith(client(handler)));
    expect(result.value).toBe('bedrock answer');
    expect(seen).toEqual([{ path: '/model/anthropic.claude-3-haiku/converse', version: '1.1' }]);
  });
});
