import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterEach, describe, expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream | undefined;
afterEach(async () => {
  await up?.close();
  up = undefined;
});

const tmp = () => mkdtempSync(path.join(tmpdir(), 'rk-sdk-'));

/** Records `run` against the fake upstream, stops the upstream, replays, and returns both results. */
async function roundTrip<T>(run: (origin: string) => Promise<T>) {
  up = await startFakeUpstream();
  const origin = up.url;
  const cassette = path.join(tmp(), 'x.rpk');
  const recorded = await record({ cassette, mode: 'record' }, () => run(origin));
  const hits = up.received.length;
  await up.close();
  up = undefined;
  const replayed = await record({ cassette, mode: 'replay' }, () => run(origin));
  return { recorded, replayed, hits, cassette };
}

describe('record then replay with the upstream stopped gives the SDK identical results', () => {
  test('openai: Responses stream, Chat tool call, embeddings', async () => {
    const { recorded, replayed, hits, cassette } = await roundTrip(async (origin) => {
      const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries: 0 });
      const stream = openai.responses.stream({ model: 'gpt-5-mini', input: 'Say hi' });
      const deltas: string[] = [];
      stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
      const final = await stream.finalResponse();
      const chat = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'weather?' }],
      });
      return { text: final.output_text, deltas, chat: chat.choices[0]?.message };
    });
    expect(hits).toBe(2);
    expect(recorded.value.text).toBe('Hello from the fake upstream.');
    expect(recorded.value.deltas.length).toBeGreaterThan(1);
    expect(replayed.value).toEqual(recorded.value);
    expect(replayed.exchanges).toBe(2);
    expect(replayed.unused).toEqual([]);
    const { steps, seal } = await loadCassette(cassette);
    expect(seal?.steps).toBe(steps.length);
    expect(steps.map((s) => s.type)).toEqual([
      'model.request',
      'model.response',
      'model.request',
      'model.response',
    ]);
    // The key never reaches the file.
    expect(readFileSync(cassette, 'utf8')).not.toContain('sk-test-FAKE');
  });

  test('anthropic: streamed tool_use', async () => {
    const { recorded, replayed } = await roundTrip(async (origin) => {
      up?.enqueue({ kind: 'tool', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] });
      const anthropic = new Anthropic({
        apiKey: 'sk-ant-test-FAKE',
        baseURL: origin,
        maxRetries: 0,
      });
      const message = await anthropic.messages
        .stream({
          model: 'claude-test-model',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'hi' }],
        })
        .finalMessage();
      return message.content;
    });
    expect(recorded.value).toContainEqual(
      expect.objectContaining({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } }),
    );
    expect(replayed.value).toEqual(recorded.value);
  });

  test('gemini: generateContentStream', async () => {
    const { recorded, replayed } = await roundTrip(async (origin) => {
      const ai = new GoogleGenAI({ apiKey: 'AIza-test-FAKE', httpOptions: { baseUrl: origin } });
      let text = '';
      for await (const chunk of await ai.models.generateContentStream({
        model: 'gemini-2.5-flash',
        contents: 'hi',
      })) {
        text += chunk.text ?? '';
      }
      return text;
    });
    expect(recorded.value).toBe('Hello from the fake upstream.');
    expect(replayed.value).toBe(recorded.value);
  });
});
