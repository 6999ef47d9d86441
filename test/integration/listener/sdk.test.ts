/**
 * The official SDKs, pointed at the listener by base URL, work exactly as they do against the
 * provider (here the loopback fake upstream), streaming and tool calls included, and every
 * exchange lands in the cassette.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createListenerCapture } from '../../../src/listener/capture.ts';
import { createGateway, type Gateway } from '../../../src/listener/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let dir: string;
let up: FakeUpstream;
let gateway: Gateway;
let artifact: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-sdk-'));
  artifact = join(dir, 'run.rpk');
  up = await startFakeUpstream();
  gateway = await createGateway({
    port: 0,
    upstreams: { openai: up.url, anthropic: up.url, gemini: up.url },
    capture: createListenerCapture({ artifact }),
  });
});
afterEach(async () => {
  await gateway.close({ drainTimeoutMs: 100 });
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

test('openai: a streamed Responses turn with a tool call, through the listener', async () => {
  up.enqueue({ kind: 'tool', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] });
  const openai = new OpenAI({
    apiKey: 'sk-test-FAKE',
    baseURL: `${gateway.url}/v1`,
    maxRetries: 0,
  });
  const final = await openai.responses
    .stream({ model: 'gpt-test', input: 'weather?' })
    .finalResponse();
  const call = final.output.find((o) => o.type === 'function_call');
  expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
  await gateway.close();
  const steps = (await loadCassette(artifact)).steps;
  expect(steps.map((s) => s.type)).toEqual(['model.request', 'model.response', 'tool.request']);
});

test('anthropic: a streamed message, through the listener', async () => {
  up.enqueue({ kind: 'text', text: 'Bonjour tout le monde' });
  const anthropic = new Anthropic({
    apiKey: 'sk-ant-test-FAKE',
    baseURL: gateway.url,
    maxRetries: 0,
  });
  const message = await anthropic.messages
    .stream({ model: 'claude-test', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] })
    .finalMessage();
  expect(message.content[0]).toMatchObject({ type: 'text', text: 'Bonjour tout le monde' });
  await gateway.close();
  const [response] = (await loadCassette(artifact)).steps.filter(
    (s) => s.type === 'model.response',
  );
  expect(response).toMatchObject({
    provider: 'anthropic',
    stream: { state: 'completed' },
    assembled: { text: 'Bonjour tout le monde' },
  });
});

test('an SDK sees the provider error from the upstream, not one of ours', async () => {
  up.enqueue({ kind: 'error', status: 429, message: 'slow down' });
  const openai = new OpenAI({
    apiKey: 'sk-test-FAKE',
    baseURL: `${gateway.url}/v1`,
    maxRetries: 0,
  });
  const error = await openai.chat.completions
    .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  expect((error as InstanceType<typeof OpenAI.RateLimitError>).message).toContain('slow down');
});

test('gemini: generateContent through the listener', async () => {
  up.enqueue({ kind: 'text', text: 'Hallo' });
  const gemini = new GoogleGenAI({
    apiKey: 'AIza-test-FAKE',
    httpOptions: { baseUrl: gateway.url },
  });
  const r = await gemini.models.generateContent({ model: 'gemini-test', contents: 'hi' });
  expect(r.text).toBe('Hallo');
});
