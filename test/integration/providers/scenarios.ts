/**
 * What each new provider's real SDK does in the provider suite (issue 16 item 4): a scenario is
 * the SDK code under test, run against the fake upstream's origin, and what a user would check.
 * Streams and tool use are in every scenario whose API has them.
 */

import { expect } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import type { FakeUpstream } from '../../support/fake-upstream/index.ts';
import { type RunEnv, runAzure, runBedrock, runCompatible, runOllama, runVertex } from './runs.ts';

export type { RunEnv };

export interface ProviderScenario {
  /** Its run's key in runs.ts (RUNS). */
  key: string;
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

export const azure: ProviderScenario = {
  key: 'azure',
  name: 'Azure OpenAI (AzureOpenAI: deployment paths with api-version, v1 path; @ai-sdk/azure)',
  provider: 'azure',
  endpoints: ['chat.completions', 'chat.completions', 'responses', 'chat.completions'],
  prompt: 'Weather in Paris?',
  changed: 'Weather in Rome?',
  path: 'body.messages[0].content',
  secrets: ['azkey-test-FAKE', 'azkey-ai-sdk-FAKE'],
  upstream: (up) => weatherCall(up, 'tool_call_id'),
  run: runAzure,
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

const bedrock = (http1: boolean): ProviderScenario => ({
  key: http1 ? 'bedrock-http1' : 'bedrock',
  name: `AWS Bedrock Runtime (${http1 ? 'HTTP/1.1 handler' : 'the default HTTP/2 client'}): Converse, ConverseStream with tool use, InvokeModel, InvokeModelWithResponseStream`,
  provider: 'bedrock',
  endpoints: ['converse-stream', 'converse', 'invoke', 'invoke-with-response-stream'],
  prompt: 'Weather in Paris?',
  changed: 'Weather in Rome?',
  path: 'body.messages[0].content[0].text',
  secrets: ['bedrock-secret-FAKE', 'Signature='],
  upstream: (up) => weatherCall(up, 'toolResult'),
  run: runBedrock(http1),
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
      expect(s.headers.authorization).toMatch(/^\[REDACTED/);
    }
  },
});

// --- Vertex AI Gemini ---------------------------------------------------------------------

export const vertex: ProviderScenario = {
  key: 'vertex',
  name: 'Vertex AI Gemini (@google/genai with vertexai: true, OAuth bearer)',
  provider: 'vertex',
  endpoints: ['streamGenerateContent', 'generateContent'],
  prompt: 'Weather in Paris?',
  changed: 'Weather in Rome?',
  path: 'body.contents[0].parts[0].text',
  secrets: ['ya29.vertex-token-FAKE'],
  upstream: (up) => weatherCall(up, 'functionResponse'),
  run: runVertex,
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
  key: 'ollama',
  name: 'Ollama native API (ollama package: /api/chat and /api/generate, NDJSON streams)',
  provider: 'ollama',
  endpoints: ['chat', 'chat', 'generate'],
  prompt: 'Weather in Paris?',
  changed: 'Weather in Rome?',
  path: 'body.messages[0].content',
  secrets: [],
  upstream: (up) => weatherCall(up, '"role":"tool"'),
  run: runOllama,
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
  key: 'compatible',
  name: 'OpenAI-compatible servers by configured base URL (groq-sdk, openai SDK at an OpenRouter-style /api/v1)',
  provider: 'openai-compatible',
  endpoints: ['chat.completions', 'chat.completions'],
  prompt: 'Weather in Paris?',
  changed: 'Weather in Rome?',
  path: 'body.messages[0].content',
  secrets: ['gsk_test-FAKE', 'sk-or-test-FAKE'],
  run: runCompatible,
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
