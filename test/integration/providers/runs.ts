/**
 * The SDK code of each new provider's scenario (scenarios.ts holds what is checked), free of
 * Vitest so that the network-off child process (offline-child.ts) runs it too.
 */

import { createAzure } from '@ai-sdk/azure';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { GoogleGenAI } from '@google/genai';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { streamText } from 'ai';
import Groq from 'groq-sdk';
import { Ollama } from 'ollama';
import OpenAI, { AzureOpenAI } from 'openai';

export interface RunEnv {
  origin: string;
  port: number;
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

export async function runAzure({ origin }: RunEnv, prompt: string) {
  const deployment = new AzureOpenAI({
    endpoint: origin,
    apiKey: 'azkey-test-FAKE',
    apiVersion: '2024-10-21',
    deployment: 'gpt-4o-prod',
    maxRetries: 0,
  });
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: prompt }];
  const first = await deployment.chat.completions
    .stream({ model: 'gpt-4o', messages, tools: [weatherTool] })
    .finalChatCompletion();
  const call = first.choices[0]?.message.tool_calls?.[0];
  const second = await deployment.chat.completions.create({
    model: 'gpt-4o',
    messages: [
      ...messages,
      first.choices[0]!.message,
      { role: 'tool', tool_call_id: call?.id ?? 'none', content: '11 °C' },
    ],
  });
  const v1 = new AzureOpenAI({
    baseURL: `${origin}/openai/v1`,
    apiKey: 'azkey-test-FAKE',
    apiVersion: 'preview',
    maxRetries: 0,
  });
  const summary = await v1.responses
    .stream({ model: 'gpt-4o-prod', input: `Summarise: ${prompt}` })
    .finalResponse();
  const aiSdk = createAzure({ baseURL: `${origin}/openai`, apiKey: 'azkey-ai-sdk-FAKE' });
  const streamed = streamText({
    model: aiSdk.chat('gpt-4o-prod'),
    prompt: `Once more: ${prompt}`,
    maxRetries: 0,
  });
  const deltas: string[] = [];
  for await (const delta of streamed.textStream) deltas.push(delta);
  return {
    call: call?.type === 'function' ? [call.function.name, call.function.arguments] : null,
    answer: second.choices[0]?.message.content,
    summary: summary.output_text,
    aiSdk: deltas.join(''),
  };
}

const CLAUDE = 'anthropic.claude-sonnet-4-5-20250929-v1:0';

export const runBedrock = (http1: boolean) =>
  async function run({ origin }: RunEnv, prompt: string) {
    // Static credentials and region: no credential-provider chain, no metadata service.
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: origin,
      credentials: { accessKeyId: 'AKIDREPLAYKITFAKE', secretAccessKey: 'bedrock-secret-FAKE' },
      maxAttempts: 1,
      ...(http1 ? { requestHandler: new NodeHttpHandler() } : {}),
    });
    try {
      const toolConfig = {
        tools: [
          {
            toolSpec: {
              name: 'get_weather',
              inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } },
            },
          },
        ],
      };
      const messages = [{ role: 'user' as const, content: [{ text: prompt }] }];
      const stream = await client.send(
        new ConverseStreamCommand({ modelId: CLAUDE, messages, toolConfig }),
      );
      let text = '';
      const tools: { id?: string; name?: string; input: string }[] = [];
      for await (const event of stream.stream ?? []) {
        if (event.contentBlockDelta?.delta?.text) text += event.contentBlockDelta.delta.text;
        const start = event.contentBlockStart?.start?.toolUse;
        if (start) tools.push({ id: start.toolUseId, name: start.name, input: '' });
        const input = event.contentBlockDelta?.delta?.toolUse?.input;
        if (input !== undefined && tools.length > 0) tools[tools.length - 1]!.input += input;
      }
      const tool = tools[0];
      const answer = await client.send(
        new ConverseCommand({
          modelId: CLAUDE,
          toolConfig,
          messages: [
            ...messages,
            {
              role: 'assistant',
              content: [
                { text },
                {
                  toolUse: {
                    toolUseId: tool?.id,
                    name: tool?.name,
                    input: JSON.parse(tool?.input ?? '{}'),
                  },
                },
              ],
            },
            {
              role: 'user',
              content: [{ toolResult: { toolUseId: tool?.id, content: [{ text: '11 °C' }] } }],
            },
          ],
        }),
      );
      const body = () =>
        JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 64,
          messages: [{ role: 'user', content: `Invoke: ${prompt}` }],
        });
      const invoked = await client.send(new InvokeModelCommand({ modelId: CLAUDE, body: body() }));
      const invokedStream = await client.send(
        new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body: body() }),
      );
      const chunks: string[] = [];
      for await (const event of invokedStream.body ?? []) {
        if (!event.chunk?.bytes) continue;
        const inner = JSON.parse(new TextDecoder().decode(event.chunk.bytes));
        if (inner.type === 'content_block_delta') chunks.push(inner.delta.text);
      }
      return {
        text,
        tools,
        answer: answer.output?.message?.content?.[0]?.text,
        stop: answer.stopReason,
        invoked: JSON.parse(new TextDecoder().decode(invoked.body)).content[0].text,
        invokedStream: chunks.join(''),
      };
    } finally {
      client.destroy();
    }
  };

export async function runVertex({ origin }: RunEnv, prompt: string) {
  // A fixed token from a stand-in auth client: nothing asks Google for one.
  const authClient = {
    getRequestHeaders: async () => new Headers({ authorization: 'Bearer ya29.vertex-token-FAKE' }),
  };
  const ai = new GoogleGenAI({
    vertexai: true,
    project: 'replaykit-test',
    location: 'us-central1',
    httpOptions: { baseUrl: origin },
    googleAuthOptions: { authClient } as never,
  });
  const tools = [
    {
      functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object' } }],
    },
  ];
  let text = '';
  const calls: unknown[] = [];
  for await (const chunk of await ai.models.generateContentStream({
    model: 'gemini-2.5-flash',
    contents: prompt,
    config: { tools },
  })) {
    text += chunk.text ?? '';
    for (const c of chunk.functionCalls ?? []) calls.push({ name: c.name, args: c.args });
  }
  const answer = await ai.models.generateContent({
    model: 'gemini-2.5-flash',
    config: { tools },
    contents: [
      { role: 'user', parts: [{ text: prompt }] },
      {
        role: 'model',
        parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'get_weather', response: { output: '11 °C' } } }],
      },
    ],
  });
  return { text, calls, answer: answer.text };
}

export async function runOllama({ origin }: RunEnv, prompt: string) {
  const client = new Ollama({ host: origin });
  const tools = [
    {
      type: 'function',
      function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
    },
  ];
  const messages = [{ role: 'user', content: prompt }];
  let text = '';
  const calls: unknown[] = [];
  for await (const part of await client.chat({
    model: 'llama3.2',
    messages,
    tools,
    stream: true,
  })) {
    text += part.message.content;
    for (const c of part.message.tool_calls ?? []) calls.push(c.function);
  }
  const answer = await client.chat({
    model: 'llama3.2',
    messages: [
      ...messages,
      { role: 'assistant', content: text },
      { role: 'tool', content: '11 °C' },
    ],
  });
  let generated = '';
  for await (const part of await client.generate({
    model: 'llama3.2',
    prompt: `Haiku: ${prompt}`,
    stream: true,
  })) {
    generated += part.response;
  }
  return { text, calls, answer: answer.message.content, generated };
}

export async function runCompatible({ origin }: RunEnv, prompt: string) {
  // The configured base URLs name the servers (the listener's `--upstream compat:NAME=URL`).
  process.env.REPLAYKIT_OPENAI_COMPATIBLE = `groq=${origin}/openai/v1,openrouter=${origin}/api/v1`;
  const groq = new Groq({ apiKey: 'gsk_test-FAKE', baseURL: origin, maxRetries: 0 });
  let text = '';
  for await (const chunk of await groq.chat.completions.create({
    model: 'llama-3.3-70b-versatile',
    messages: [{ role: 'user', content: prompt }],
    stream: true,
  })) {
    text += chunk.choices[0]?.delta.content ?? '';
  }
  const router = new OpenAI({
    apiKey: 'sk-or-test-FAKE',
    baseURL: `${origin}/api/v1`,
    maxRetries: 0,
  });
  const answer = await router.chat.completions.create({
    model: 'meta-llama/llama-3.3-70b-instruct',
    messages: [{ role: 'user', content: `Again: ${prompt}` }],
  });
  return { text, answer: answer.choices[0]?.message.content };
}

/** By scenario key, for the network-off child. */
export const RUNS: Record<string, (env: RunEnv, prompt: string) => Promise<unknown>> = {
  azure: runAzure,
  'bedrock-http1': runBedrock(true),
  bedrock: runBedrock(false),
  vertex: runVertex,
  ollama: runOllama,
  compatible: runCompatible,
};
