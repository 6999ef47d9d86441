/** The OpenAI Agents SDK (`@openai/agents`): a streamed tool loop over SSE and over WebSocket. */
import { Agent, OpenAIProvider, Runner, setTracingDisabled, tool } from '@openai/agents';
import { z } from 'zod';
import type { FakeUpstream } from '../../support/fake-upstream/index.ts';
import { type RunEnv, scenario, scenarios } from './harness.ts';

// The tracing exporter would post to the real OpenAI host: traffic stays on loopback.
setTracingDisabled(true);

const weather = tool({
  name: 'weather',
  description: 'The weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `sunny in ${city}`,
});

const upstream = (up: FakeUpstream) =>
  up.reply((req) =>
    JSON.stringify(req.body ?? {}).includes('function_call_output')
      ? { kind: 'text', text: 'It is sunny in Oslo.' }
      : { kind: 'tool', calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] },
  );

const agentRun = (websocket: boolean) => async (env: RunEnv, prompt: string) => {
  const provider = new OpenAIProvider({
    apiKey: 'sk-test-FAKE',
    baseURL: `${env.origin}/v1`,
    websocketBaseURL: `ws://127.0.0.1:${env.port}/v1`,
    useResponses: true,
    useResponsesWebSocket: websocket,
  });
  try {
    const runner = new Runner({ modelProvider: provider, tracingDisabled: true });
    const agent = new Agent({
      name: 'forecaster',
      instructions: 'Answer briefly.',
      model: 'gpt-5-mini',
      tools: [weather],
    });
    const result = await runner.run(agent, prompt, { stream: true });
    const deltas: string[] = [];
    for await (const delta of result.toTextStream()) deltas.push(delta);
    await result.completed;
    const calls = result.newItems
      .filter((item) => item.type === 'tool_call_item')
      .map((item) => item.rawItem);
    return { output: result.finalOutput, deltas, calls };
  } finally {
    await provider.close();
  }
};

const sane = (v: { output: unknown; deltas: string[]; calls: unknown[] }) => {
  if (v.output !== 'It is sunny in Oslo.' || v.deltas.length < 2 || v.calls.length !== 1) {
    throw new Error(`the tool loop did not run: ${JSON.stringify(v)}`);
  }
};

scenarios([
  scenario({
    name: '@openai/agents over SSE',
    prompt: 'Weather in Oslo?',
    changed: 'Weather in Bergen?',
    path: 'body.input[0].content',
    upstream,
    run: agentRun(false),
    sane,
  }),
  scenario({
    name: '@openai/agents over WebSocket',
    prompt: 'Weather in Oslo?',
    changed: 'Weather in Bergen?',
    path: 'body.input[0].content',
    upstream,
    run: agentRun(true),
    sane,
  }),
]);
