/**
 * Side-by-side `record()` scopes (issue 24): each request belongs to the scope in whose async
 * context it was made, whatever the client (fetch through a module-level SDK client, an SDK client
 * on its own undici dispatcher, `node:http`) and even when the clients' kept-alive sockets (one
 * socket per pool here) carry one scope's requests right after another's.
 */
import { AsyncResource } from 'node:async_hooks';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { Agent } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { startTripwire, type Tripwire } from '../../support/tripwire.ts';

let up: FakeUpstream;
let tripwire: Tripwire | null = null;
let port = 0;
// Built before any scope existed, shared by every scope: the common case in apps and tests.
let openai: OpenAI;
let pooled: OpenAI;
let agent: Agent;
let httpAgent: http.Agent;
const dir = mkdtempSync(path.join(tmpdir(), 'rk-scopes-'));
// A context made before any scope: what runs in it is outside every scope.
const outside = new AsyncResource('outside every scope');
let bystander: http.Server;
let bystanderUrl = '';

beforeAll(async () => {
  up = await startFakeUpstream();
  port = up.port;
  up.reply((req) => ({
    kind: 'text',
    text: `echo ${(req.body as { messages: { content: string }[] }).messages[0]!.content}`,
  }));
  openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
  // One connection each: a scope's request goes out on the socket another scope just used.
  agent = new Agent({ connections: 1 });
  pooled = new OpenAI({
    apiKey: 'sk-test-FAKE',
    baseURL: `${up.url}/v1`,
    maxRetries: 0,
    fetchOptions: { dispatcher: agent } as never,
  });
  httpAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  bystander = http.createServer((_req, res) => res.end('bystander ok'));
  await new Promise<void>((resolve) => bystander.listen(0, '127.0.0.1', resolve));
  bystanderUrl = `http://127.0.0.1:${(bystander.address() as { port: number }).port}/status`;
});
afterAll(async () => {
  bystander.close();
  httpAgent.destroy();
  await agent.close();
  await tripwire?.close();
  await up.close();
});

async function streamed(client: OpenAI, content: string): Promise<string> {
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content }],
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

/** A streamed Chat call over `node:http` on the shared keep-alive agent. */
function overHttp(content: string): Promise<string> {
  const body = JSON.stringify({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content }],
  });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `http://127.0.0.1:${port}/v1/chat/completions`,
      {
        method: 'POST',
        agent: httpAgent,
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-FAKE' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`HTTP ${res.statusCode} ${res.headers['x-replaykit-error']}`));
        }
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve(deltas(text)));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The text of a Chat Completions SSE body. */
function deltas(sse: string): string {
  let text = '';
  for (const line of sse.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    text += JSON.parse(line.slice(6)).choices[0]?.delta?.content ?? '';
  }
  return text;
}

/** One scope's traffic, every call tagged with `name`, alternating clients so sockets change hands. */
async function scenario(name: string): Promise<string[]> {
  const out: string[] = [];
  for (let round = 1; round <= 2; round++) {
    out.push(await streamed(openai, `${name} sdk ${round}`));
    out.push(await streamed(pooled, `${name} pooled ${round}`));
    out.push(await overHttp(`${name} http ${round}`));
  }
  return out;
}

async function prompts(cassette: string): Promise<string[]> {
  const { steps } = await loadCassette(cassette);
  return steps
    .filter((s) => s.type === 'model.request')
    .map((s) => JSON.stringify((s as { body?: unknown }).body))
    .map((body) => /"content":"([^"]*)"/.exec(body)?.[1] ?? body);
}

const expected = (name: string) =>
  [1, 2].flatMap((r) => [`${name} sdk ${r}`, `${name} pooled ${r}`, `${name} http ${r}`]);

test('outside every scope: with two active, provider requests fail with E_SCOPE_OUTSIDE and reach neither cassette, other traffic passes; with one active, they belong to it', async () => {
  const cassettes = [path.join(dir, 'one.rpk'), path.join(dir, 'two.rpk')];
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let started = 0;
  let bothStarted = () => {};
  const both = new Promise<void>((resolve) => {
    bothStarted = resolve;
  });
  const inScope = (name: string) => async () => {
    if (++started === 2) bothStarted();
    await gate;
    return streamed(openai, `${name} inside`);
  };
  const scopes = Promise.all([
    record({ cassette: cassettes[0]!, mode: 'record' }, inScope('one')),
    record({ cassette: cassettes[1]!, mode: 'record' }, inScope('two')),
  ]);
  await both;
  const sdk = await outside.runInAsyncScope(() => streamed(openai, 'stray sdk').catch((e) => e));
  expect(sdk.status).toBe(500);
  expect(sdk.message).toContain('outside every record() scope while 2 are active');
  const pooledError = await outside.runInAsyncScope(() =>
    streamed(pooled, 'stray pooled').catch((e) => e),
  );
  expect(pooledError.status).toBe(500);
  await expect(outside.runInAsyncScope(() => overHttp('stray http'))).rejects.toThrow(
    'HTTP 500 E_SCOPE_OUTSIDE',
  );
  const passes = await outside.runInAsyncScope(() => fetch(bystanderUrl).then((r) => r.text()));
  expect(passes).toBe('bystander ok');
  open();
  const [one, two] = await scopes;
  expect([one.value, two.value]).toEqual(['echo one inside', 'echo two inside']);
  expect(await prompts(cassettes[0]!)).toEqual(['one inside']);
  expect(await prompts(cassettes[1]!)).toEqual(['two inside']);
  expect(up.received.map((r) => r.bodyText)).not.toContain(expect.stringContaining('stray'));

  const lone = path.join(dir, 'lone.rpk');
  const rec = await record({ cassette: lone, mode: 'record' });
  expect(await outside.runInAsyncScope(() => streamed(openai, 'lone stray'))).toBe(
    'echo lone stray',
  );
  expect((await rec.stop()).exchanges).toBe(1);
  expect(await prompts(lone)).toEqual(['lone stray']);
});

test('two scopes under Promise.all each record exactly their own exchanges and replay them offline, 20 times', async () => {
  const cassettes = { a: path.join(dir, 'a.rpk'), b: path.join(dir, 'b.rpk') };
  const [a, b] = await Promise.all([
    record({ cassette: cassettes.a, mode: 'record' }, () => scenario('alpha')),
    record({ cassette: cassettes.b, mode: 'record' }, () => scenario('beta')),
  ]);
  expect(a.value).toEqual(expected('alpha').map((p) => `echo ${p}`));
  expect(b.value).toEqual(expected('beta').map((p) => `echo ${p}`));
  expect((await prompts(cassettes.a)).sort()).toEqual(expected('alpha').sort());
  expect((await prompts(cassettes.b)).sort()).toEqual(expected('beta').sort());

  await up.close();
  tripwire = await startTripwire(port);
  for (let run = 0; run < 20; run++) {
    // CI=true and no mode: replay, the default on CI.
    const env = { CI: 'true' };
    const [ra, rb] = await Promise.all([
      record({ cassette: cassettes.a, env, strict: true }, () => scenario('alpha')),
      record({ cassette: cassettes.b, env, strict: true }, () => scenario('beta')),
    ]);
    expect({ run, a: ra.mode, b: rb.mode }).toEqual({ run, a: 'replay', b: 'replay' });
    expect({ run, a: ra.value, b: rb.value }).toEqual({ run, a: a.value, b: b.value });
    expect({ run, a: ra.exchanges, b: rb.exchanges }).toEqual({ run, a: 6, b: 6 });
  }
  expect(tripwire.hits).toEqual([]);
});
