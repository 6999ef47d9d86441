/**
 * LlamaIndex TS: `llamaindex` with its OpenAI LLM, which lives in `@llamaindex/openai` since the
 * provider split. A tool call, its result, then the answer streamed.
 */
import { OpenAI } from '@llamaindex/openai';
import {
  type ChatMessage,
  Settings,
  type ToolCall,
  type ToolCallLLMMessageOptions,
  tool,
} from 'llamaindex';
import { z } from 'zod';
import { type RunEnv, scenario, scenarios } from './harness.ts';

const weather = tool({
  name: 'weather',
  description: 'The weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: ({ city }) => `sunny in ${city}`,
});

async function run(env: RunEnv, prompt: string) {
  Settings.llm = new OpenAI({
    model: 'gpt-4o-mini',
    apiKey: 'sk-test-FAKE',
    baseURL: `${env.origin}/v1`,
    maxRetries: 0,
  });
  const messages: ChatMessage<ToolCallLLMMessageOptions>[] = [{ role: 'user', content: prompt }];
  const first = await Settings.llm.chat({ messages, tools: [weather] });
  messages.push(first.message);
  const options = first.message.options ?? {};
  const calls = 'toolCall' in options ? (options.toolCall as ToolCall[]) : [];
  for (const call of calls) {
    const input = typeof call.input === 'string' ? JSON.parse(call.input) : call.input;
    const result = String(await weather.call(input));
    messages.push({
      role: 'user',
      content: result,
      options: { toolResult: { id: call.id, result, isError: false } },
    });
  }
  const deltas: string[] = [];
  for await (const chunk of await Settings.llm.chat({ messages, tools: [weather], stream: true })) {
    deltas.push(chunk.delta);
  }
  return { calls, deltas };
}

scenarios([
  scenario({
    name: 'llamaindex + @llamaindex/openai, tool call then streamed answer',
    prompt: 'Weather in Oslo?',
    changed: 'Weather in Bergen?',
    path: 'body.messages[0].content',
    upstream: (up) =>
      up.reply((req) =>
        /"role":"tool"/.test(req.bodyText)
          ? { kind: 'text', text: 'It is sunny in Oslo.' }
          : { kind: 'tool', calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] },
      ),
    run,
    sane: (v) => {
      if (v.calls.length !== 1 || v.deltas.join('') !== 'It is sunny in Oslo.') {
        throw new Error(`the tool loop did not run: ${JSON.stringify(v)}`);
      }
    },
  }),
]);
