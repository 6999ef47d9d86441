/**
 * Issue 14's performance goal: recording the real-stream corpus (test/fixtures/corpus) costs at
 * most 1.3x its live time. Each round runs every corpus stream once through its SDK against the
 * fake upstream live (no recording), then once inside one `record()`; rounds alternate the order.
 * Prints one JSON line: streams, rounds, median live ms, median record ms, their ratio.
 * Usage: node bench/corpus-record.ts [rounds]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { record } from '../src/index.ts';
import { corpusBytes, type Kind, kindOf, loadStreams } from '../test/support/corpus.ts';
import { startFakeUpstream } from '../test/support/fake-upstream/index.ts';

const rounds = Number(process.argv[2] ?? 5);
const up = await startFakeUpstream();
const dir = mkdtempSync(path.join(tmpdir(), 'rk-bench-corpus-'));
const streams = loadStreams().map((s) => {
  const kind = kindOf(
    s.provider,
    s.events.map((e) => e.data),
  );
  return { kind, bytes: corpusBytes(s.file, kind) };
});

const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: up.url, maxRetries: 0 });
const gemini = new GoogleGenAI({ apiKey: 'AIza-test-FAKE', httpOptions: { baseUrl: up.url } });
const messages = [{ role: 'user' as const, content: 'hi' }];

async function call(kind: Kind): Promise<void> {
  try {
    if (kind === 'responses')
      await openai.responses.stream({ model: 'm', input: 'hi' }).finalResponse();
    else if (kind === 'chat')
      await openai.chat.completions
        .stream({ model: 'm', messages, stream: true })
        .finalChatCompletion();
    else if (kind === 'anthropic')
      await anthropic.messages.stream({ model: 'm', max_tokens: 10, messages }).finalMessage();
    else
      for await (const _ of await gemini.models.generateContentStream({
        model: 'm',
        contents: 'hi',
      }));
  } catch {
    // Error streams end the SDK call with an error, live and recorded alike.
  }
}

async function all(): Promise<void> {
  for (const s of streams) {
    up.enqueue({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      chunks: [s.bytes],
    });
    await call(s.kind);
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const live: number[] = [];
const recorded: number[] = [];
await all(); // warm-up: module loading, connections
let n = 0;
for (let round = 0; round < rounds; round++) {
  const cassette = path.join(dir, `r${n++}.rpk`);
  const rec = () => timed(() => record({ cassette, mode: 'record' }, all));
  if (round % 2 === 0) {
    live.push(await timed(all));
    recorded.push(await rec());
  } else {
    recorded.push(await rec());
    live.push(await timed(all));
  }
  up.reset();
}
await up.close();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  JSON.stringify({
    streams: streams.length,
    rounds,
    live_ms: median(live),
    record_ms: median(recorded),
    ratio: median(recorded) / median(live),
  }),
);
