/**
 * The listener routes the providers added by issue 16 item 4: `--upstream azure=`, `bedrock=`,
 * `vertex=`, `ollama=` and `compat:NAME=`, each driven by its real SDK pointed at the listener,
 * streams passed through as they came and recorded under the provider's name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { GoogleGenAI } from '@google/genai';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import Groq from 'groq-sdk';
import { Ollama } from 'ollama';
import { AzureOpenAI } from 'openai';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { createListenerCapture } from '../../../src/listener/capture.ts';
import { createGateway, type Gateway } from '../../../src/listener/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let dir: string;
let up: FakeUpstream;
let gateway: Gateway;
let artifact: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-new-providers-'));
  artifact = join(dir, 'run.rpk');
  up = await startFakeUpstream();
  gateway = await createGateway({
    port: 0,
    upstreams: {
      azure: up.url,
      bedrock: up.url,
      vertex: up.url,
      ollama: up.url,
      'compat:groq': `${up.url}/openai/v1`,
    },
    capture: createListenerCapture({ artifact }),
  });
});
afterEach(async () => {
  await gateway.close({ drainTimeoutMs: 100 });
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

const recorded = async (): Promise<Step[]> => {
  await gateway.close();
  return (await loadCassette(artifact)).steps;
};
const tool = { calls: [{ name: 'get_weather', arguments: { city: 'Paris' }, callId: 'call_L1' }] };

test('azure=: AzureOpenAI on a deployment path, streamed tool call', async () => {
  up.enqueue({ kind: 'tool', ...tool });
  const client = new AzureOpenAI({
    endpoint: gateway.url,
    apiKey: 'azkey-listener-FAKE',
    apiVersion: '2024-10-21',
    deployment: 'gpt-4o-prod',
    maxRetries: 0,
  });
  const final = await client.chat.completions
    .stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather?' }] })
    .finalChatCompletion();
  expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({ id: 'call_L1' });
  expect(up.received.at(-1)?.url).toBe(
    '/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21',
  );
  const [request, response] = await recorded();
  expect(request).toMatchObject({ provider: 'azure', endpoint: 'chat.completions' });
  expect(response).toMatchObject({
    provider: 'azure',
    assembled: { tool_calls: [{ id: 'call_L1', name: 'get_weather' }] },
  });
});

test('bedrock=: ConverseStream over the listener, the event stream passed through and assembled', async () => {
  up.enqueue({ kind: 'tool', text: 'Checking.', ...tool });
  // The listener speaks HTTP/1.1: the SDK's HTTP/1.1 handler (its default client is HTTP/2 only).
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: gateway.url,
    credentials: { accessKeyId: 'AKIDLISTENERFAKE', secretAccessKey: 'listener-secret-FAKE' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
  const out = await client.send(
    new ConverseStreamCommand({
      modelId: 'anthropic.claude-sonnet-4-5-v1:0',
      messages: [{ role: 'user', content: [{ text: 'weather?' }] }],
    }),
  );
  let text = '';
  for await (const event of out.stream ?? []) text += event.contentBlockDelta?.delta?.text ?? '';
  client.destroy();
  expect(text).toBe('Checking.');
  const steps = await recorded();
  expect(steps.find((s) => s.type === 'model.response')).toMatchObject({
    provider: 'bedrock',
    endpoint: 'converse-stream',
    stream: { format: 'eventstream', state: 'completed' },
    assembled: { text: 'Checking.', tool_calls: [{ id: 'call_L1', arguments: { city: 'Paris' } }] },
  });
});

test('vertex=: @google/genai with vertexai: true through the listener', async () => {
  up.enqueue({ kind: 'text', text: 'ciao' });
  const ai = new GoogleGenAI({
    vertexai: true,
    project: 'p',
    location: 'us-central1',
    httpOptions: { baseUrl: gateway.url },
    googleAuthOptions: {
      authClient: {
        getRequestHeaders: async () => new Headers({ authorization: 'Bearer ya29.FAKE' }),
      },
    } as never,
  });
  const res = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
  expect(res.text).toBe('ciao');
  const [request] = await recorded();
  expect(request).toMatchObject({ provider: 'vertex', endpoint: 'generateContent' });
});

test('ollama=: a streamed /api/chat through the listener', async () => {
  up.enqueue({ kind: 'text', text: 'hello from llama' });
  const client = new Ollama({ host: gateway.url });
  let text = '';
  for await (const part of await client.chat({
    model: 'llama3.2',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
  })) {
    text += part.message.content;
  }
  expect(text).toBe('hello from llama');
  const steps = await recorded();
  expect(steps.find((s) => s.type === 'model.response')).toMatchObject({
    provider: 'ollama',
    endpoint: 'chat',
    stream: { format: 'ndjson', state: 'completed' },
    assembled: { text: 'hello from llama' },
  });
});

test('compat:groq=: groq-sdk at {listener}/compat/groq reaches the configured base URL, named in the steps', async () => {
  up.enqueue({ kind: 'text', text: 'fast answer' });
  const groq = new Groq({ apiKey: 'gsk_listener-FAKE', baseURL: `${gateway.url}/compat/groq` });
  const res = await groq.chat.completions.create({
    model: 'llama-3.3-70b-versatile',
    messages: [{ role: 'user', content: 'hi' }],
  });
  expect(res.choices[0]?.message.content).toBe('fast answer');
  // groq-sdk's own /openai/v1 is not doubled onto the configured base URL.
  expect(up.received.at(-1)?.url).toBe('/openai/v1/chat/completions');
  const [request] = await recorded();
  expect(request).toMatchObject({
    provider: 'openai-compatible',
    provider_name: 'groq',
    endpoint: 'chat.completions',
  });
});

test('compat:NAME for a server neither configured nor known is refused with the supported routes', async () => {
  const res = await fetch(`${gateway.url}/compat/nowhere/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(404);
  expect(await res.text()).toContain('does not forward this route');
});
