/** The Vercel AI SDK (`ai` + `@ai-sdk/openai` / `@ai-sdk/anthropic`) records, then replays offline. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import { startFakeUpstream } from '../../support/fake-upstream/index.ts';

const weather = tool({
  description: 'weather',
  inputSchema: jsonSchema<{ city: string }>({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  }),
});

test('generateText and streamText (OpenAI Responses, Chat, Anthropic; a tool call) replay with the upstream stopped', async () => {
  const up = await startFakeUpstream();
  const origin = up.url;
  const cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-ai-')), 'ai.rpk');
  const run = async () => {
    const openai = createOpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1` });
    const anthropic = createAnthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: `${origin}/v1` });
    const a = await generateText({ model: openai('gpt-5-mini'), prompt: 'hi', maxRetries: 0 });
    const b = streamText({ model: openai.chat('gpt-4.1'), prompt: 'hi', maxRetries: 0 });
    const chunks: string[] = [];
    for await (const delta of b.textStream) chunks.push(delta);
    const c = streamText({
      model: anthropic('claude-test-model'),
      prompt: 'weather?',
      tools: { weather },
      maxRetries: 0,
    });
    const calls = (await c.toolCalls).map((call) => [call.toolName, call.input]);
    const d = await generateText({
      model: anthropic('claude-test-model'),
      prompt: 'hi',
      maxRetries: 0,
    });
    return { a: a.text, finish: a.finishReason, chunks, calls, d: d.text };
  };
  up.reply((req) =>
    req.endpoint === 'messages' && JSON.stringify(req.body).includes('weather?')
      ? { kind: 'tool', calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] }
      : undefined,
  );
  const recorded = await record({ cassette, mode: 'record' }, run);
  expect(up.received).toHaveLength(4);
  await up.close();
  const replayed = await record({ cassette, mode: 'replay', strict: true }, run);
  expect(recorded.value.calls).toEqual([['weather', { city: 'Oslo' }]]);
  expect(recorded.value.chunks.length).toBeGreaterThan(1);
  expect(replayed.value).toEqual(recorded.value);
  expect(replayed.exchanges).toBe(4);
});
