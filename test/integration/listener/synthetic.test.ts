/**
 * `--mode synthetic`: the real SDKs get deterministic provider-shaped answers without any
 * upstream, and the run is loud about it (warning in health/status, `response_source: synthetic`
 * in the header and every step).
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
import { SYNTHETIC_TEXT, SYNTHETIC_WARNING } from '../../../src/listener/synthetic.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { replaypack } from '../../support/cli.ts';

let dir: string;
let gateway: Gateway;
let artifact: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-synth-'));
  artifact = join(dir, 'synthetic.rpk');
  gateway = await createGateway({
    port: 0,
    mode: 'synthetic',
    upstreams: { openai: 'http://127.0.0.1:9', anthropic: 'http://127.0.0.1:9' },
    warnings: [SYNTHETIC_WARNING],
    capture: createListenerCapture({ artifact, responseSource: 'synthetic' }),
  });
});
afterEach(async () => {
  await gateway.close({ drainTimeoutMs: 100 });
  rmSync(dir, { recursive: true, force: true });
});

test('the real SDKs get deterministic, provider-shaped synthetic answers', async () => {
  const openai = new OpenAI({
    apiKey: 'sk-test-FAKE',
    baseURL: `${gateway.url}/v1`,
    maxRetries: 0,
  });
  const anthropic = new Anthropic({
    apiKey: 'sk-ant-test-FAKE',
    baseURL: gateway.url,
    maxRetries: 0,
  });
  const gemini = new GoogleGenAI({
    apiKey: 'AIza-test-FAKE',
    httpOptions: { baseUrl: gateway.url },
  });
  const run = async () => ({
    responses: (await openai.responses.stream({ model: 'gpt-test', input: 'hi' }).finalResponse())
      .output_text,
    responsesJson: (await openai.responses.create({ model: 'gpt-test', input: 'hi' })).id,
    chat: await openai.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .then(async (s) => {
        let text = '';
        for await (const c of s) text += c.choices[0]?.delta.content ?? '';
        return text;
      }),
    embedding: (await openai.embeddings.create({ model: 'emb', input: 'hi' })).data[0]?.embedding
      .length,
    anthropic: (
      await anthropic.messages
        .stream({
          model: 'claude-test',
          max_tokens: 9,
          messages: [{ role: 'user', content: 'hi' }],
        })
        .finalMessage()
    ).content,
    gemini: (await gemini.models.generateContent({ model: 'gemini-test', contents: 'hi' })).text,
  });
  const first = await run();
  const second = await run();
  expect(second).toEqual(first);
  expect(first.responses).toBe(SYNTHETIC_TEXT);
  expect(first.chat).toBe(SYNTHETIC_TEXT);
  expect(first.anthropic).toEqual([{ type: 'text', text: SYNTHETIC_TEXT }]);
  expect(first.gemini).toBe(SYNTHETIC_TEXT);
  expect(first.embedding).toBe(8);
  const health = gateway.health();
  expect(health).toMatchObject({
    mode: 'synthetic',
    warnings: [SYNTHETIC_WARNING],
    counts: { synthetic: 12 },
  });
  await gateway.close();
  const cassette = await loadCassette(artifact);
  expect(cassette.header.response_source).toBe('synthetic');
  const answers = cassette.steps.filter((s) => s.type !== 'model.request');
  expect(answers.length).toBeGreaterThanOrEqual(12);
  for (const step of answers) expect(step.response_source).toBe('synthetic');
});

test('the Responses WebSocket gets synthetic frames ending in response.completed', async () => {
  const ws = new WebSocket(`${gateway.url.replace('http', 'ws')}/v1/responses`);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const types: string[] = [];
  const done = new Promise<void>((resolve) =>
    ws.on('message', (d) => {
      types.push((JSON.parse(d.toString()) as { type: string }).type);
      if (types.at(-1) === 'response.completed') resolve();
    }),
  );
  ws.send(JSON.stringify({ type: 'response.create', model: 'gpt-test', input: 'hi' }));
  await done;
  ws.close();
  expect(types[0]).toBe('response.created');
  expect(types).toContain('response.output_text.delta');
});

test('the CLI is loud: a warning at start, in status and in JSON output', async () => {
  const env = { REPLAYKIT_HOME: join(dir, 'home') };
  const start = await replaypack(
    ['listen', 'start', '--port', '0', '--mode', 'synthetic', '--out', dir],
    { env },
  );
  try {
    expect(start.exitCode).toBe(0);
    expect(start.stderr).toContain('[replaykit] WARNING: mode synthetic');
    const status = await replaypack(['listen', 'status', '--json'], { env });
    expect(JSON.parse(status.stdout)).toMatchObject({
      mode: 'synthetic',
      warnings: [SYNTHETIC_WARNING],
    });
    expect((await replaypack(['listen', 'status'], { env })).stdout).toContain(
      'WARNING: mode synthetic',
    );
  } finally {
    await replaypack(['listen', 'stop'], { env });
  }
});
