import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream();
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const reply = { kind: 'text', text: 'Four.', reasoning: 'Two plus two is four' } as const;

describe('reasoning in the reply, per provider', () => {
  it('OpenAI Responses: a reasoning item with a streamed summary precedes the message', async () => {
    const client = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
    up.enqueue(reply);
    const stream = client.responses.stream({ model: 'gpt-5', input: '2+2?' });
    const deltas: string[] = [];
    stream.on('response.reasoning_summary_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(final.output[0]).toMatchObject({
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: reply.reasoning }],
    });
    expect(final.output_text).toBe('Four.');
    expect(deltas.join('')).toBe(reply.reasoning);
  });

  it('Anthropic: a thinking block with thinking_delta and signature_delta', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: up.url, maxRetries: 0 });
    up.enqueue(reply);
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-6',
      max_tokens: 50,
      messages: [{ role: 'user', content: '2+2?' }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'thinking', thinking: reply.reasoning });
    expect((final.content[0] as { signature: string }).signature).not.toBe('');
    expect(final.content[1]).toMatchObject({ type: 'text', text: 'Four.' });
  });

  it('Gemini: thought parts come before the answer and stay out of .text', async () => {
    const ai = new GoogleGenAI({ apiKey: 'AIza-test-FAKE', httpOptions: { baseUrl: up.url } });
    up.enqueue(reply);
    const res = await ai.models.generateContent({ model: 'gemini-2.5-pro', contents: '2+2?' });
    expect(res.candidates?.[0]?.content?.parts?.[0]).toEqual({
      text: reply.reasoning,
      thought: true,
    });
    expect(res.text).toBe('Four.');
  });
});
