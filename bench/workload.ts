/**
 * The benchmark workload: N exchanges over the real SDKs, mixed providers (OpenAI Chat, Anthropic
 * Messages, Gemini generateContent), every other one streamed. The same calls, in the same order,
 * are made by every tool measured, so the results compare like with like.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { record } from '../src/index.ts';
import { startFakeUpstream } from '../test/support/fake-upstream/index.ts';

export const N = Number(process.env.BENCH_N ?? 1000);
export const BENCH_DIR = path.join(tmpdir(), 'replaykit-bench');

export function clients(origin: string) {
  return {
    openai: new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries: 0 }),
    anthropic: new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: origin, maxRetries: 0 }),
    gemini: new GoogleGenAI({ apiKey: 'AIza-test-FAKE', httpOptions: { baseUrl: origin } }),
  };
}

/** Exchange `i` of the workload; returns the text the SDK produced. */
export async function call(c: ReturnType<typeof clients>, i: number): Promise<string> {
  const stream = i % 2 === 0;
  const prompt = `question ${i}`;
  switch (i % 3) {
    case 0: {
      const messages = [{ role: 'user' as const, content: prompt }];
      if (!stream) {
        const r = await c.openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
        return r.choices[0]?.message.content ?? '';
      }
      let text = '';
      const s = await c.openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream });
      for await (const chunk of s) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    }
    case 1: {
      const body = {
        model: 'claude-test-model',
        max_tokens: 64,
        messages: [{ role: 'user' as const, content: prompt }],
      };
      const m = stream
        ? await c.anthropic.messages.stream(body).finalMessage()
        : await c.anthropic.messages.create(body);
      return m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    }
    default: {
      const req = { model: 'gemini-2.5-flash', contents: prompt };
      if (!stream) return (await c.gemini.models.generateContent(req)).text ?? '';
      let text = '';
      for await (const chunk of await c.gemini.models.generateContentStream(req))
        text += chunk.text ?? '';
      return text;
    }
  }
}

export async function runWorkload(origin: string, n = N): Promise<string[]> {
  const c = clients(origin);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await call(c, i));
  return out;
}

/** The recorded cassette of the workload (made once per machine and N, then reused). */
export async function workloadCassette(n = N): Promise<{ file: string; origin: string }> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const file = path.join(BENCH_DIR, `mixed-${n}.rpk`);
  // Every run of the fake upstream gets a new port; the origin never reaches the cassette.
  const origin = 'http://127.0.0.1:59999';
  if (existsSync(file)) return { file, origin };
  const up = await startFakeUpstream();
  try {
    await record({ cassette: file, mode: 'record' }, () => runWorkload(up.url, n));
  } finally {
    await up.close();
  }
  return { file, origin };
}

export function measure<T>(
  fn: () => Promise<T>,
): Promise<{ ms: number; cpu_ms: number; value: T }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  return fn().then((value) => {
    const used = process.cpuUsage(cpu);
    return { ms: performance.now() - start, cpu_ms: (used.user + used.system) / 1000, value };
  });
}
