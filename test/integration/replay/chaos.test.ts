/**
 * Chaos replay (issue 20 item 2) with the real SDKs: a recording served re-chunked anywhere
 * (inside UTF-8 characters, `data:` lines, CRLF pairs) must parse into the same events as the
 * plain replay, for every seed; a cut, an error status and latency reach the client as a real
 * network's would; and the same seed gives the same bytes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { record } from '../../../src/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { Chaos, type ChaosOptions, parseChaos } from '../../../src/replay/chaos.ts';
import { served } from '../../../src/replay/serve.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

/** Multi-byte characters of every width, so byte splits land inside them. */
const TEXT = 'Grüße, café — 日本語 and 🦊🚀 ok';
const DEAD = 'http://127.0.0.1:9';

/** What each SDK makes of a stream: its parsed events, and the text they add up to. */
type Run = (origin: string, retries?: number) => Promise<{ events: unknown[]; text: string }>;

/** OpenAI Chat Completions over SSE framed with CRLF, as some gateways send it. */
function crlfChat(): (string | Uint8Array)[] {
  const words = TEXT.split(/(?= )/);
  const frames = words.map((w, i) =>
    JSON.stringify({
      id: 'chatcmpl-chaos',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          delta: i === 0 ? { role: 'assistant', content: w } : { content: w },
          finish_reason: null,
        },
      ],
    }),
  );
  return [...frames.map((f) => `data: ${f}\r\n\r\n`), 'data: [DONE]\r\n\r\n'];
}

const runs: Record<string, Run> = {
  openai: async (origin, retries = 0) => {
    const openai = new OpenAI({
      apiKey: 'sk-test-FAKE',
      baseURL: `${origin}/v1`,
      maxRetries: retries,
    });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'chaos' }],
    });
    const events: unknown[] = [];
    let text = '';
    for await (const chunk of stream) {
      events.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    return { events, text };
  },
  anthropic: async (origin, retries = 0) => {
    const anthropic = new Anthropic({
      apiKey: 'sk-ant-test-FAKE',
      baseURL: origin,
      maxRetries: retries,
    });
    const stream = anthropic.messages.stream({
      model: 'claude-test-model',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'chaos' }],
    });
    const events: unknown[] = [];
    for await (const event of stream) events.push(event);
    const message = await stream.finalMessage();
    return { events, text: message.content.map((b) => (b.type === 'text' ? b.text : '')).join('') };
  },
  gemini: async (origin, retries = 0) => {
    const ai = new GoogleGenAI({
      apiKey: 'AIza-test-FAKE',
      httpOptions: { baseUrl: origin, retryOptions: { attempts: retries + 1 } },
    });
    const events: unknown[] = [];
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'chaos',
    })) {
      events.push({ candidates: chunk.candidates, usage: chunk.usageMetadata });
      text += chunk.text ?? '';
    }
    return { events, text };
  },
};

const cassettes: Record<string, string> = {};
const plain: Record<string, { events: unknown[]; text: string }> = {};
let up: FakeUpstream;

beforeAll(async () => {
  up = await startFakeUpstream();
  const dir = mkdtempSync(path.join(tmpdir(), 'rk-chaos-'));
  for (const sdk of Object.keys(runs)) {
    if (sdk === 'openai') {
      up.enqueue({
        kind: 'raw',
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        chunks: crlfChat(),
      });
    } else up.enqueue({ kind: 'text', text: TEXT });
    const cassette = path.join(dir, `${sdk}.rpk`);
    await record({ cassette, mode: 'record' }, () => runs[sdk]!(up.url));
    cassettes[sdk] = cassette;
    plain[sdk] = (await record({ cassette, mode: 'replay' }, () => runs[sdk]!(DEAD))).value;
    expect(plain[sdk]!.text).toBe(TEXT);
  }
  await up.close();
});
afterAll(() => up?.close());

const replay = (sdk: string, chaos: ChaosOptions, retries = 0) =>
  record({ cassette: cassettes[sdk]!, mode: 'replay', chaos }, () => runs[sdk]!(DEAD, retries));

describe.each(Object.keys(runs))('chaos replay with the %s SDK', (sdk) => {
  test('every re-chunking parses into the same events (property over seeds)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.constantFrom<ChaosOptions['chunking']>('random', 'byte', 1, 2, 3, 5, 7, 64),
        async (seed, chunking) => {
          const { value } = await replay(sdk, { seed, chunking });
          expect(value).toEqual(plain[sdk]);
        },
      ),
      { numRuns: 30 },
    );
  });

  test('cutAfterEvents drops the connection after that many events', async () => {
    const failed = await replay(sdk, { seed: 7, cutAfterEvents: 2 }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(Error);
    // The events before the cut reached the app: a partial run, not a clean one.
    const partial = await record(
      { cassette: cassettes[sdk]!, mode: 'replay', chaos: { seed: 7, cutAfterEvents: 2 } },
      async () => {
        const events: unknown[] = [];
        try {
          await runs[sdk]!(DEAD).then((r) => events.push(...r.events));
        } catch {
          return 'cut';
        }
        return 'complete';
      },
    );
    expect(partial.value).toBe('cut');
  });

  test('status 429 answers with the provider error and retry-after; the retry is served', async () => {
    const error = (await replay(sdk, { seed: 1, status: 429 }).catch((e: unknown) => e)) as {
      status?: number;
      message?: string;
    };
    expect(error.status).toBe(429);
    expect(error.message).toMatch(
      sdk === 'gemini'
        ? /RESOURCE_EXHAUSTED/
        : sdk === 'anthropic'
          ? /rate_limit_error/
          : /Rate limit/,
    );
    // With retries the SDK waits retry-after and gets the recording.
    const retried = await replay(sdk, { seed: 1, status: 429 }, 1);
    expect(retried.value).toEqual(plain[sdk]);
    expect(retried.exchanges).toBe(1);
  });

  test('latency (fixed or jittered) leaves the events unchanged', async () => {
    const fixed = await replay(sdk, { seed: 3, latencyMs: 2, chunking: 'random' });
    expect(fixed.value).toEqual(plain[sdk]);
    const jittered = await replay(sdk, { seed: 3, latencyMs: [0, 3] });
    expect(jittered.value).toEqual(plain[sdk]);
  });
});

describe('chaos is reproducible from its seed', () => {
  /** The served bytes of a recording's one answer, with the pieces chaos makes of them. */
  async function pieces(sdk: string, options: ChaosOptions) {
    const { steps } = await loadCassette(cassettes[sdk]!);
    const response = steps.find((s) => s.type === 'model.response')!;
    if (response.type !== 'model.response') throw new Error('no response');
    const answer = new Chaos(options).apply(served(response), 0, true);
    return answer;
  }

  test('the same seed gives the same pieces and waits; another seed other pieces', async () => {
    const a = await pieces('openai', { seed: 42, chunking: 'random', latencyMs: [1, 50] });
    const b = await pieces('openai', { seed: 42, chunking: 'random', latencyMs: [1, 50] });
    const c = await pieces('openai', { seed: 43, chunking: 'random', latencyMs: [1, 50] });
    expect(a.chunks).toEqual(b.chunks);
    expect(a.waits).toEqual(b.waits);
    expect(a.chunks?.map((x) => x.length)).not.toEqual(c.chunks?.map((x) => x.length));
    for (const wait of a.waits ?? []) expect(wait).toBeLessThanOrEqual(50 * a.waits!.length);
  });

  test('random chunking splits inside UTF-8 characters, data: lines and CRLF pairs', async () => {
    const seen = { utf8: 0, crlf: 0, dataLine: 0 };
    for (let seed = 0; seed < 20; seed++) {
      const { chunks } = await pieces('openai', { seed, chunking: 'random' });
      const bytes = Buffer.concat(chunks!);
      let at = 0;
      for (const chunk of chunks!.slice(0, -1)) {
        at += chunk.length;
        if ((bytes[at]! & 0xc0) === 0x80) seen.utf8++;
        if (bytes[at - 1] === 0x0d && bytes[at] === 0x0a) seen.crlf++;
        const lineStart = bytes.lastIndexOf(0x0a, at - 1) + 1;
        if (bytes.subarray(lineStart, at).toString('latin1').startsWith('data: ')) seen.dataLine++;
      }
    }
    expect(seen.utf8).toBeGreaterThan(0);
    expect(seen.crlf).toBeGreaterThan(0);
    expect(seen.dataLine).toBeGreaterThan(0);
  });

  test('a failed chaos run prints its seed', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await expect(replay('openai', { seed: 99, cutAfterEvents: 1 })).rejects.toThrow();
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('')).toContain('chaos seed=99,cutAfterEvents=1');
  });

  test('--chaos text parses to the options and back', () => {
    const options = parseChaos(
      'seed=5,chunking=random,cutAfterEvents=3,latencyMs=10-40,status=503',
    );
    expect(options).toEqual({
      seed: 5,
      chunking: 'random',
      cutAfterEvents: 3,
      latencyMs: [10, 40],
      status: 503,
    });
    expect(new Chaos(options).describe()).toBe(
      'seed=5,chunking=random,cutAfterEvents=3,latencyMs=10-40,status=503',
    );
    expect(() => parseChaos('chunking=byte')).toThrow(/seed is required/);
    expect(() => parseChaos('seed=1,status=404')).toThrow(/status/);
  });
});
