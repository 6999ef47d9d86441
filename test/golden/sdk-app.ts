/**
 * The golden SDK workload: what a small multi-provider app does, through the three real SDKs. The
 * generator (scripts/make-golden.ts) records it against the fake upstream; the golden test replays
 * it with the network off and expects the same result, byte for byte in what the SDKs return.
 * Clients are built before recording starts, as module-level clients are in real apps.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';

export interface SdkAppResult {
  openai: { tool: string; answer: string; response_ids: string[] };
  anthropic: { blocks: unknown[]; stop_reason: string | null };
  gemini: { text: string | undefined };
}

export function sdkApp(origin: string) {
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: origin, maxRetries: 0 });
  const gemini = new GoogleGenAI({ apiKey: 'AIza-test-FAKE', httpOptions: { baseUrl: origin } });

  return async (): Promise<SdkAppResult> => {
    const model = 'gpt-5-mini';
    const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'Weather in Paris?' }];
    const tools = [
      {
        type: 'function' as const,
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
        strict: false,
      },
    ];
    const first = await openai.responses.stream({ model, input, tools }).finalResponse();
    const call = first.output.find((item) => item.type === 'function_call');
    if (!call) throw new Error('the golden workload expected a function call');
    input.push(call, { type: 'function_call_output', call_id: call.call_id, output: '11 °C' });
    const second = await openai.responses.stream({ model, input, tools }).finalResponse();

    const message = await anthropic.messages
      .stream({
        model: 'claude-sonnet-4-6',
        max_tokens: 200,
        messages: [{ role: 'user', content: 'Say hello.' }],
      })
      .finalMessage();

    const reply = await gemini.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Say hello.',
    });

    return {
      openai: {
        tool: `${call.name}(${call.arguments})`,
        answer: second.output_text,
        response_ids: [first.id, second.id],
      },
      anthropic: { blocks: message.content, stop_reason: message.stop_reason },
      gemini: { text: reply.text },
    };
  };
}

/** The fake upstream's script for the workload, in request order. */
export const SDK_APP_REPLIES = [
  { kind: 'tool', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
  { kind: 'text', text: 'It is 11 °C in Paris.' },
  { kind: 'text', text: 'Hello from Claude, recorded.' },
  { kind: 'text', text: 'Hello from Gemini, recorded.' },
] as const;
