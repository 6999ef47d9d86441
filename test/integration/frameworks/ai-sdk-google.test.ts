/**
 * The AI SDK with `@ai-sdk/google`: a two-step tool loop. Gemini's function call carries no id, so
 * the SDK mints a random one and sends it back in the second request (issue 13, symptom 3).
 */
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import type { FakeUpstream } from '../../support/fake-upstream/index.ts';
import { type RunEnv, scenario, scenarios } from './harness.ts';

const weather = tool({
  description: 'The weather in a city',
  inputSchema: jsonSchema<{ city: string }>({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  }),
  execute: async ({ city }) => `sunny in ${city}`,
});

const upstream = (up: FakeUpstream) =>
  up.reply((req) =>
    req.bodyText.includes('functionResponse')
      ? { kind: 'text', text: 'It is sunny in Oslo.' }
      : { kind: 'tool', calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] },
  );

const model = (env: RunEnv) =>
  createGoogleGenerativeAI({ apiKey: 'AIza-test-FAKE', baseURL: `${env.origin}/v1beta` })(
    'gemini-2.5-flash',
  );

// The minted id differs per run by design; what a user compares is the tool and its input.
const generate = async (env: RunEnv, prompt: string) => {
  const result = await generateText({
    model: model(env),
    prompt,
    tools: { weather },
    stopWhen: stepCountIs(2),
    maxRetries: 0,
  });
  const calls = result.steps.flatMap((s) => s.toolCalls.map((c) => [c.toolName, c.input]));
  return { text: result.text, steps: result.steps.length, calls };
};

const stream = async (env: RunEnv, prompt: string) => {
  const result = streamText({
    model: model(env),
    prompt,
    tools: { weather },
    stopWhen: stepCountIs(2),
    maxRetries: 0,
    // The failure reaches the caller through `steps`; the default handler would only log it too.
    onError: () => {},
  });
  const deltas: string[] = [];
  for await (const delta of result.textStream) deltas.push(delta);
  const steps = await result.steps;
  const calls = steps.flatMap((s) => s.toolCalls.map((c) => [c.toolName, c.input]));
  return { text: deltas.join(''), steps: steps.length, calls };
};

const sane = (v: { text: string; steps: number; calls: unknown[] }) => {
  if (v.steps !== 2 || v.calls.length !== 1 || v.text !== 'It is sunny in Oslo.') {
    throw new Error(`the tool loop did not run: ${JSON.stringify(v)}`);
  }
};

scenarios([
  scenario({
    name: 'ai + @ai-sdk/google generateText, two-step tool loop',
    prompt: 'Weather in Oslo?',
    changed: 'Weather in Bergen?',
    path: 'body.contents[0].parts[0].text',
    upstream,
    run: generate,
    sane,
  }),
  scenario({
    name: 'ai + @ai-sdk/google streamText, two-step tool loop',
    prompt: 'Weather in Oslo?',
    changed: 'Weather in Bergen?',
    path: 'body.contents[0].parts[0].text',
    upstream,
    run: stream,
    sane,
  }),
]);
