/**
 * What each new provider's real SDK does in the provider suite (issue 16 item 4): a scenario is
 * the SDK code under test, run against the fake upstream's origin, and what a user would check.
 * Streams and tool use are in every scenario whose API has them.
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
import { expect } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import type { FakeUpstream } from '../../support/fake-upstream/index.ts';

export interface RunEnv {
  origin: string;
  port: number;
}

export interface ProviderScenario {
  name: string;
  /** The `provider` every step must name. */
  provider: string;
  /** The endpoint of each model.request, in order. */
  endpoints: string[];
  prompt: string;
  changed: string;
  /** The JSON path the first divergence must name for `changed`. */
  path: string;
  /** Credentials the SDK sent: none may reach the cassette. */
  secrets: string[];
  upstream?: (up: FakeUpstream) => void;
  run: (env: RunEnv, prompt: string) => Promise<unknown>;
  /** Proof the SDK really did the work when recorded. */
  sane: (value: unknown) => void;
  /** Extra checks of the recorded steps against what the SDK returned. */
  steps?: (steps: Step[], value: unknown) => void;
}

const responses = (steps: Step[]) => steps.flatMap((s) => (s.type === 'model.response' ? [s] : []));

const weatherCall = (up: FakeUpstream, marker: string) =>
  up.reply((req) =>
    req.bodyText.includes(marker)
      ? { kind: 'text', text: 'It is 11 °C in Paris — <cool> & dry.' }
      : {
          kind: 'tool',
          text: 'Let me check.',
          calls: [{ name: 'get_weather', arguments: { city: 'Paris' }, callId: 'call_w1' }],
        },
  );

// --- Azure OpenAI -------------------------------------------------------------------------

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

export const azure: ProviderScenario = {
  name: 'Azure OpenAI (AzureOpenAI: deployment paths with api-version, v1 path; @ai-sdk/azure)',
  provider: 'azure',
  endpoints: ['chat.completions', 'chat.completions', 'responses', 'chat.completions'],
  prompt: 'Weather in Paris?',
  changed: 'Weather in Rome?',
  path: 'body.messages[0].content',
  secrets: ['azkey-test-FAKE', 'azkey-ai-sdk-FAKE'],
  upstream: (up) => weatherCall(up, 'tool_call_id'),
  async run({ origin }, prompt) {
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
  },
  sane(value) {
    expect(value).toMatchObject({
      call: ['get_weather', '{"city":"Paris"}'],
      answer: 'It is 11 °C in Paris — <cool> & dry.',
    });
  },
  steps(steps, value) {
    const [first, , third] = responses(steps);
    expect(first?.assembled?.tool_calls).toEqual([
      { id: 'call_w1', name: 'get_weather', arguments: { city: 'Paris' }, kind: 'function' },
    ]);
    expect(third?.assembled?.text).toBe((value as { summary: string }).summary);
    const urls = steps.flatMap((s) => (s.type === 'model.request' ? [s.url] : []));
    expect(urls[0]).toBe('/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21');
    expect(urls[2]).toBe('/openai/v1/responses?api-version=preview');
    const models = steps.flatMap((s) => (s.type === 'model.request' ? [s.model] : []));
    expect(models[0]).toBe('gpt-4o-prod');
  },
};

// --- AWS Bedrock Runtime ------------------------------------------------------------------

const CLAUDE = 'anthropic.claude-sonnet-4-5-20250929-v1:0';

const bedrockRun = (http1: boolean) =>
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
      const body = (stream: boolean) =>
        JSON.stringify({
          anthropic_version: 'bedrock-2023-05-31',
          max_tokens: 64,
          messages: [{ role: 'user', content: `Invoke: ${prompt}` }],
        });
      const invoked = await client.send(
        new InvokeModelCommand({ modelId: CLAUDE, body: body(false) }),
      );
      const invokedStream = await client.send(
        new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body: body(true) }),
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

const bedrock = (http1: boolean): ProviderScenario => ({
  name: `AWS Bedrock Runtime (${http1 ? 'HTTP/1.1 handler' : 'the default HTTP/2 client'}): Converse, ConverseStream with tool use, InvokeModel, InvokeModelWithResponseStream`,
  provider: 'bedrock',
  endpoints: ['converse-stream', 'converse', 'invoke', 'invoke-with-response-stream'],
  prompt: 'Weather in Paris?',
  changed: 'Weather in Rome?',
  path: 'body.messages[0].content[0].text',
  secrets: ['bedrock-secret-FAKE', 'Signature='],
  upstream: (up) => weatherCall(up, 'toolResult'),
  run: bedrockRun(http1),
  sane(value) {
    expect(value).toMatchObject({
      text: 'Let me check.',
      tools: [{ id: 'call_w1', name: 'get_weather', input: '{"city":"Paris"}' }],
      answer: 'It is 11 °C in Paris — <cool> & dry.',
      stop: 'end_turn',
    });
    expect((value as { invokedStream: string }).invokedStream).not.toBe('');
  },
  steps(steps, value) {
    const [stream, , , invoked] = responses(steps);
    expect(stream?.stream?.format).toBe('eventstream');
    expect(stream?.assembled).toMatchObject({
      text: 'Let me check.',
      tool_calls: [
        { id: 'call_w1', name: 'get_weather', arguments: { city: 'Paris' }, kind: 'toolUse' },
      ],
      stop_reason: 'tool_use',
    });
    expect(invoked?.assembled?.text).toBe((value as { invokedStream: string }).invokedStream);
    const tool = steps.find((s) => s.type === 'tool.response');
    expect(tool).toMatchObject({ call_id: 'call_w1', name: 'get_weather' });
    for (const s of steps) {
      if (s.type !== 'model.request') continue;
      expect(s.headers.authorization).toMatch(/REDACTED|redacted|\[/);
    }
  },
});

// --- Vertex AI Gemini ---------------------------------------------------------------------

export const vertex: ProviderScenario = {
  name: 'Vertex AI Gemini (@google/genai with vertexai: true, OAuth bearer)',
  provider: 'vertex',
  endpoints: ['streamGenerateContent', 'generateContent'],
  prompt: 'Weather in Paris?',
  changed: 'Weather in Rome?',
  path: 'body.contents[0].parts[0].text',
  secrets: ['ya29.vertex-token-FAKE'],
  upstream: (up) => weatherCall(up, 'functionResponse'),
  async run({ origin }, prompt) {
    // A fixed token from a stand-in auth client: nothing asks Google for one.
    const authClient = {
      getRequestHeaders: async () =>
        new Headers({ authorization: 'Bearer ya29.vertex-token-FAKE' }),
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
  },
  sane(value) {
    expect(value).toMatchObject({
      text: 'Let me check.',
      calls: [{ name: 'get_weather', args: { city: 'Paris' } }],
      answer: 'It is 11 °C in Paris — <cool> & dry.',
    });
  },
  steps(steps) {
    const [first] = responses(steps);
    expect(first?.assembled?.tool_calls).toMatchObject([
      { name: 'get_weather', arguments: { city: 'Paris' } },
    ]);
    const url = steps.find((s) => s.type === 'model.request')?.url;
    expect(url).toMatch(
      /^\/v1beta1\/projects\/replaykit-test\/locations\/us-central1\/publishers\/google\/models\/gemini-2\.5-flash:streamGenerateContent\?alt=sse$/,
    );
  },
};

// --- Ollama native ------------------------------------------------------------------------

export const ollama: ProviderScenario = {
  name: 'Ollama native API (ollama package: /api/chat and /api/generate, NDJSON streams)',
  provider: 'ollama',
  endpoints: ['chat', 'chat', 'generate'],
  prompt: 'Weather in Paris?',
  changed: 'Weather in Rome?',
  path: 'body.messages[0].content',
  secrets: [],
  upstream: (up) => weatherCall(up, '"role":"tool"'),
  async run({ origin }, prompt) {
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
  },
  sane(value) {
    expect(value).toMatchObject({
      text: 'Let me check.',
      calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
      answer: 'It is 11 °C in Paris — <cool> & dry.',
    });
  },
  steps(steps, value) {
    const [first, , third] = responses(steps);
    expect(first?.stream?.format).toBe('ndjson');
    expect(first?.assembled).toMatchObject({
      text: 'Let me check.',
      tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
    });
    expect(third?.assembled?.text).toBe((value as { generated: string }).generated);
  },
};

// --- OpenAI-compatible servers -------------------------------------------------------------

export const compatible: ProviderScenario = {
  name: 'OpenAI-compatible servers by configured base URL (groq-sdk, openai SDK at an OpenRouter-style /api/v1)',
  provider: 'openai-compatible',
  endpoints: ['chat.completions', 'chat.completions'],
  prompt: 'Weather in Paris?',
  changed: 'Weather in Rome?',
  path: 'body.messages[0].content',
  secrets: ['gsk_test-FAKE', 'sk-or-test-FAKE'],
  async run({ origin }, prompt) {
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
  },
  sane(value) {
    expect(value).toEqual({
      text: 'Hello from the fake upstream.',
      answer: 'Hello from the fake upstream.',
    });
  },
  steps(steps) {
    const names = steps.flatMap((s) => (s.type === 'model.request' ? [s.provider_name] : []));
    expect(names).toEqual(['groq', 'openrouter']);
  },
};

export const SCENARIOS: ProviderScenario[] = [
  azure,
  bedrock(true),
  bedrock(false),
  vertex,
  ollama,
  compatible,
];
