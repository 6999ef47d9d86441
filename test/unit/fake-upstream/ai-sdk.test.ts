import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_TEXT,
  type FakeUpstream,
  startFakeUpstream,
} from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;

beforeAll(async () => {
  up = await startFakeUpstream();
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const weather = tool({
  description: 'weather',
  inputSchema: jsonSchema<{ city: string }>({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  }),
});

describe('Vercel AI SDK (its zod schemas validate every event) against the fake upstream', () => {
  it('@ai-sdk/openai (Responses) generateText and streamText', async () => {
    const openai = createOpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1` });
    const res = await generateText({ model: openai('gpt-5-mini'), prompt: 'hi', maxRetries: 0 });
    expect(res.text).toBe(DEFAULT_TEXT);
    expect(res.finishReason).toBe('stop');
    up.enqueue({ kind: 'text', text: 'streamed words here' });
    const stream = streamText({ model: openai('gpt-5-mini'), prompt: 'hi', maxRetries: 0 });
    const parts: string[] = [];
    for await (const delta of stream.textStream) parts.push(delta);
    expect(parts.join('')).toBe('streamed words here');
    expect(up.received.map((r) => r.url)).toEqual(['/v1/responses', '/v1/responses']);
  });

  it('@ai-sdk/openai tool call via streamText', async () => {
    const openai = createOpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1` });
    up.enqueue({ kind: 'tool', calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] });
    const stream = streamText({
      model: openai('gpt-5-mini'),
      prompt: 'weather?',
      tools: { weather },
      maxRetries: 0,
    });
    const calls = await stream.toolCalls;
    expect(calls.map((c) => [c.toolName, c.input])).toEqual([['weather', { city: 'Oslo' }]]);
  });

  it('@ai-sdk/openai chat model streams text', async () => {
    const openai = createOpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1` });
    const stream = streamText({ model: openai.chat('gpt-4.1'), prompt: 'hi', maxRetries: 0 });
    expect(await stream.text).toBe(DEFAULT_TEXT);
    expect(up.received[0]?.url).toBe('/v1/chat/completions');
  });

  it('@ai-sdk/anthropic streamText with text then a tool call', async () => {
    const anthropic = createAnthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: `${up.url}/v1` });
    const stream = streamText({
      model: anthropic('claude-sonnet-4-6'),
      prompt: 'hi',
      maxRetries: 0,
    });
    expect(await stream.text).toBe(DEFAULT_TEXT);
    up.enqueue({ kind: 'tool', calls: [{ name: 'weather', arguments: { city: 'Rome' } }] });
    const withTool = streamText({
      model: anthropic('claude-sonnet-4-6'),
      prompt: 'w?',
      tools: { weather },
      maxRetries: 0,
    });
    const calls = await withTool.toolCalls;
    expect(calls.map((c) => [c.toolName, c.input])).toEqual([['weather', { city: 'Rome' }]]);
  });
});
