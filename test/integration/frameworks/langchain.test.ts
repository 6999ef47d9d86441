/** LangChain (`@langchain/openai`, `@langchain/anthropic`): a bound tool, its result, the answer. */
import { ChatAnthropic } from '@langchain/anthropic';
import type { AIMessageChunk, BaseMessage } from '@langchain/core/messages';
import { HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import type { FakeUpstream } from '../../support/fake-upstream/index.ts';
import { type RunEnv, scenario, scenarios } from './harness.ts';

const weather = tool(async ({ city }) => `sunny in ${city}`, {
  name: 'weather',
  description: 'The weather in a city',
  schema: z.object({ city: z.string() }),
});

// The first turn calls the tool; the turn that carries its result answers in text.
const upstream = (up: FakeUpstream) =>
  up.reply((req) =>
    /"role":"tool"|"tool_result"/.test(req.bodyText)
      ? { kind: 'text', text: 'It is sunny in Oslo.' }
      : { kind: 'tool', calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] },
  );

type Chat = ReturnType<ChatOpenAI['bindTools']>;

async function streamed(model: Chat, messages: BaseMessage[]): Promise<AIMessageChunk> {
  let whole: AIMessageChunk | undefined;
  for await (const chunk of await model.stream(messages))
    whole = whole ? whole.concat(chunk) : chunk;
  if (!whole) throw new Error('the stream was empty');
  return whole;
}

// A hand-written agent loop, as LangChain's docs show it: call, run the tool, send its result.
async function toolLoop(model: Chat, prompt: string, stream: boolean) {
  const messages: BaseMessage[] = [new HumanMessage(prompt)];
  const first = stream ? await streamed(model, messages) : await model.invoke(messages);
  messages.push(first);
  for (const call of first.tool_calls ?? []) {
    const output = await weather.invoke(call.args as { city: string });
    messages.push(new ToolMessage({ content: output, tool_call_id: call.id ?? '' }));
  }
  const last = stream ? await streamed(model, messages) : await model.invoke(messages);
  return {
    calls: (first.tool_calls ?? []).map((c) => ({ id: c.id, name: c.name, args: c.args })),
    answer: last.content,
  };
}

const sane = (v: Awaited<ReturnType<typeof toolLoop>>) => {
  const text = JSON.stringify(v.answer);
  if (v.calls.length !== 1 || !text.includes('sunny in Oslo')) {
    throw new Error(`the tool loop did not run: ${JSON.stringify(v)}`);
  }
};

const openai = (env: RunEnv, streaming: boolean) =>
  new ChatOpenAI({
    model: 'gpt-4o-mini',
    apiKey: 'sk-test-FAKE',
    configuration: { baseURL: `${env.origin}/v1` },
    maxRetries: 0,
    streaming,
  }).bindTools([weather]);

const anthropic = (env: RunEnv) =>
  new ChatAnthropic({
    model: 'claude-test-model',
    apiKey: 'sk-ant-test-FAKE',
    anthropicApiUrl: env.origin,
    maxRetries: 0,
  }).bindTools([weather]) as unknown as Chat;

scenarios([
  scenario({
    name: '@langchain/openai ChatOpenAI streaming, bound tool',
    prompt: 'Weather in Oslo?',
    changed: 'Weather in Bergen?',
    path: 'body.messages[0].content',
    upstream,
    run: (env, prompt) => toolLoop(openai(env, true), prompt, true),
    sane,
  }),
  scenario({
    name: '@langchain/openai ChatOpenAI, bound tool',
    prompt: 'Weather in Oslo?',
    changed: 'Weather in Bergen?',
    path: 'body.messages[0].content',
    upstream,
    run: (env, prompt) => toolLoop(openai(env, false), prompt, false),
    sane,
  }),
  scenario({
    name: '@langchain/anthropic ChatAnthropic, bound tool',
    prompt: 'Weather in Oslo?',
    changed: 'Weather in Bergen?',
    path: 'body.messages[0].content',
    upstream,
    run: (env, prompt) => toolLoop(anthropic(env), prompt, false),
    sane,
  }),
  scenario({
    name: '@langchain/anthropic ChatAnthropic streaming, bound tool',
    prompt: 'Weather in Oslo?',
    changed: 'Weather in Bergen?',
    path: 'body.messages[0].content',
    upstream,
    run: (env, prompt) => toolLoop(anthropic(env), prompt, true),
    sane,
  }),
]);
