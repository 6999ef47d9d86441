import { GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_TEXT,
  type FakeUpstream,
  startFakeUpstream,
} from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let ai: GoogleGenAI;

beforeAll(async () => {
  up = await startFakeUpstream();
  ai = new GoogleGenAI({ apiKey: 'AIza-test-FAKE', httpOptions: { baseUrl: up.url } });
});
afterAll(() => up.close());
beforeEach(() => up.reset());

describe('@google/genai against the fake upstream', () => {
  it('generateContent returns the default text', async () => {
    const res = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    expect(res.text).toBe(DEFAULT_TEXT);
    expect(res.candidates?.[0]?.finishReason).toBe('STOP');
    expect(res.usageMetadata?.totalTokenCount).toBeGreaterThan(0);
    expect(up.received[0]).toMatchObject({ provider: 'gemini', endpoint: 'generateContent' });
    // @google/genai 3 defaults to /v1/; older versions and the REST docs use /v1beta/.
    expect(up.received[0]?.url).toMatch(/^\/v1(beta)?\/models\/gemini-2\.5-flash:generateContent$/);
    expect(up.received[0]?.headers['x-goog-api-key']).toBe('AIza-test-FAKE');
  });

  it('generateContentStream (alt=sse) streams the words', async () => {
    up.enqueue({ kind: 'text', text: 'red green blue' });
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'hi',
    });
    const pieces: string[] = [];
    for await (const chunk of stream) pieces.push(chunk.text ?? '');
    expect(pieces).toEqual(['red', ' green', ' blue']);
    expect(up.received[0]?.url).toMatch(
      /\/models\/gemini-2\.5-flash:streamGenerateContent\?alt=sse$/,
    );
  });

  it('functionCall parts arrive via generateContent and generateContentStream', async () => {
    const call = { name: 'get_weather', arguments: { city: 'Paris' } };
    up.enqueue({ kind: 'tool', calls: [call] }, { kind: 'tool', calls: [call] });
    const res = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'weather?',
    });
    expect(res.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'weather?',
    });
    const calls: unknown[] = [];
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
    expect(calls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
  });

  it('an error reply surfaces as the SDK ApiError with the status', async () => {
    up.enqueue({ kind: 'error', status: 429, message: 'Quota exceeded' });
    const error = await ai.models
      .generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ApiError', status: 429 });
    expect(String((error as Error).message)).toContain('RESOURCE_EXHAUSTED');
  });

  it('without alt=sse the stream is one JSON array written element by element', async () => {
    up.enqueue({ kind: 'text', text: 'a b' });
    const res = await fetch(`${up.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: 'POST',
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    const body = (await res.json()) as {
      candidates: { content: { parts: { text: string }[] } }[];
    }[];
    expect(body.map((c) => c.candidates[0]?.content.parts[0]?.text)).toEqual(['a', ' b']);
    expect(up.sent[0]?.chunks.length).toBe(2);
  });

  it('countTokens and embedContent answer', async () => {
    const count = await ai.models.countTokens({ model: 'gemini-2.5-flash', contents: 'hello' });
    expect(count.totalTokens).toBeGreaterThan(0);
    const emb = await ai.models.embedContent({ model: 'text-embedding-004', contents: 'hello' });
    expect(emb.embeddings?.[0]?.values?.length).toBe(8);
  });
});
