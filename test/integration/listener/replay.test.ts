/**
 * `--mode replay`: the real SDKs record through the listener in live mode, then the same calls
 * are answered from that artifact with the upstream stopped, with the same results. Misses are
 * provider-shaped errors carrying the divergence report, and `error.event`s in the replay run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterEach, beforeEach, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createListenerCapture } from '../../../src/listener/capture.ts';
import { createGateway, type Gateway } from '../../../src/listener/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let dir: string;
let up: FakeUpstream;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-replay-'));
  up = await startFakeUpstream();
});
afterEach(async () => {
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

async function live(artifact: string): Promise<Gateway> {
  return createGateway({
    port: 0,
    upstreams: { openai: up.url, anthropic: up.url, gemini: up.url },
    capture: createListenerCapture({ artifact }),
  });
}

async function replay(cassette: string, artifact: string): Promise<Gateway> {
  return createGateway({
    port: 0,
    mode: 'replay',
    cassette,
    // Nothing listens here: a request that reached an upstream would fail loudly.
    upstreams: { openai: 'http://127.0.0.1:9', anthropic: 'http://127.0.0.1:9' },
    capture: createListenerCapture({ artifact, responseSource: 'replay' }),
  });
}

/** One session of SDK calls, as an app would make them; returns what the app saw. */
async function session(url: string) {
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${url}/v1`, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: url, maxRetries: 0 });
  const gemini = new GoogleGenAI({ apiKey: 'AIza-test-FAKE', httpOptions: { baseUrl: url } });
  const streamed = await openai.responses
    .stream({ model: 'gpt-test', input: 'weather?' })
    .finalResponse();
  const chat = await openai.chat.completions.create({
    model: 'gpt-test',
    messages: [{ role: 'user', content: 'hi' }],
  });
  const message = await anthropic.messages
    .stream({ model: 'claude-test', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
    .finalMessage();
  const chunks: string[] = [];
  for await (const c of await gemini.models.generateContentStream({
    model: 'gemini-test',
    contents: 'hi',
  }))
    chunks.push(c.text ?? '');
  return {
    tool: streamed.output.find((o) => o.type === 'function_call'),
    chat: chat.choices[0]?.message.content,
    anthropic: message.content,
    gemini: chunks.join(''),
  };
}

test('the real SDKs get the same results in replay mode, with the upstream stopped', async () => {
  const recorded = join(dir, 'live.rpk');
  up.enqueue(
    { kind: 'tool', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
    { kind: 'text', text: 'chat says hi' },
    { kind: 'text', text: 'Bonjour tout le monde' },
    { kind: 'text', text: 'Hallo Welt' },
  );
  const g1 = await live(recorded);
  const first = await session(g1.url);
  await g1.close();
  await up.close();

  const g2 = await replay(recorded, join(dir, 'replay.rpk'));
  const second = await session(g2.url);
  const health = g2.health();
  await g2.close();
  expect(second).toEqual(first);
  expect(first.tool).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
  expect(first.gemini).toBe('Hallo Welt');
  expect(health).toMatchObject({ mode: 'replay', counts: { requests: 4, divergences: 0 } });
  const run = await loadCassette(join(dir, 'replay.rpk'));
  expect(run.header.response_source).toBe('replay');
  expect(run.steps.filter((s) => s.type === 'model.response')).toHaveLength(4);
});

test('a miss is a provider-shaped error with the divergence report, and an error.event', async () => {
  const recorded = join(dir, 'live.rpk');
  const g1 = await live(recorded);
  const anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: g1.url, maxRetries: 0 });
  await anthropic.messages.create({
    model: 'claude-test',
    max_tokens: 20,
    messages: [{ role: 'user', content: 'hi' }],
  });
  await g1.close();

  const artifact = join(dir, 'replay.rpk');
  const g2 = await replay(recorded, artifact);
  const again = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: g2.url, maxRetries: 2 });
  const error = await again.messages
    .create({ model: 'claude-test', max_tokens: 20, messages: [{ role: 'user', content: 'bye' }] })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Anthropic.BadRequestError);
  const message = (error as InstanceType<typeof Anthropic.BadRequestError>).error as {
    error: { message: string };
  };
  expect(message.error.message).toMatch(/^\[replaykit\] Replay divergence in /);
  expect(message.error.message).toContain(
    'First difference: body.messages[0].content: expected "hi" but got "bye"',
  );
  // x-should-retry: false: the SDK did not retry a divergence.
  expect(g2.health().counts).toMatchObject({ requests: 1, divergences: 1, errors: 1 });
  await g2.close();
  const steps = (await loadCassette(artifact)).steps;
  expect(steps.map((s) => s.type)).toEqual(['model.request', 'error.event']);
  expect(steps[1]).toMatchObject({ source: 'policy', code: 'E_REPLAY_DIVERGENCE' });
});

test('volatile request fields (Codex session ids, Claude Code date and attribution) do not break matching', async () => {
  const recorded = join(dir, 'live.rpk');
  const send = (url: string, day: string, session: string) =>
    fetch(`${url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'sk-ant-test-FAKE',
        'anthropic-version': '2023-06-01',
        'x-claude-code-session-id': session,
        'user-agent': 'claude-cli/2.1.197 (external, cli)',
      },
      body: JSON.stringify({
        model: 'claude-test',
        max_tokens: 20,
        system: [
          {
            type: 'text',
            text: `x-anthropic-billing-header: cc_version=2.1.197.${session}; cc_entrypoint=cli;`,
          },
          { type: 'text', text: 'You are Claude Code.' },
        ],
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'text',
                text: `<system-reminder>\nToday's date is ${day}.\n</system-reminder>`,
              },
              { type: 'text', text: 'hi' },
            ],
          },
        ],
      }),
    });
  const g1 = await live(recorded);
  const a = await (await send(g1.url, '2026-11-24', 'aaaa1111')).json();
  await g1.close();
  const g2 = await replay(recorded, join(dir, 'replay.rpk'));
  const r = await send(g2.url, '2027-01-02', 'bbbb2222');
  const b = await r.json();
  await g2.close();
  expect(r.status).toBe(200);
  expect(b).toEqual(a);
});

test('the Responses WebSocket: each response.create is matched and answered with the recorded frames', async () => {
  const recorded = join(dir, 'live.rpk');
  up.enqueue({ kind: 'text', text: 'over the socket' });
  const turn = async (url: string, session: string) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/responses`, {
      headers: { authorization: 'Bearer sk-test-FAKE', 'session-id': session },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const frames: unknown[] = [];
    const finished = new Promise<void>((resolve) =>
      ws.on('message', (d) => {
        const frame = JSON.parse(d.toString()) as { type: string };
        frames.push(frame);
        if (frame.type === 'response.completed' || frame.type === 'error') resolve();
      }),
    );
    ws.send(
      JSON.stringify({
        type: 'response.create',
        model: 'gpt-test',
        input: [{ role: 'user', content: 'hi' }],
        prompt_cache_key: session,
      }),
    );
    await finished;
    ws.close();
    return frames;
  };
  const g1 = await live(recorded);
  const first = await turn(g1.url, 'sess-1');
  await g1.close();
  await up.close();
  const g2 = await replay(recorded, join(dir, 'replay.rpk'));
  const second = await turn(g2.url, 'sess-2');
  await g2.close();
  expect(second).toEqual(first);
  expect(first.at(-1)).toMatchObject({ type: 'response.completed' });
});
