/**
 * (c) Memory while replaying a large cassette: a synthetic ~200 MB cassette (large JSON responses,
 * the size class of agent runs with big tool outputs), replayed through `record()` with the real
 * `openai` SDK for its first exchanges; reports the file size and the peak RSS and heap.
 * Usage: node bench/memory.ts; prints one JSON line.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { record } from '../src/index.ts';
import { writeLargeChatCassette } from '../test/support/large-cassette.ts';
import { BENCH_DIR } from './workload.ts';

const MB = Number(process.env.BENCH_MEMORY_MB ?? 200);
const file = path.join(BENCH_DIR, `large-${MB}mb.rpk`);
const BODY = 200_000;
const count = Math.ceil((MB * 1024 * 1024) / BODY);

if (!existsSync(file)) {
  const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(BODY / 27)).slice(0, BODY);
  writeLargeChatCassette(file, { count, answer: () => filler, replace: true });
}

let peakRss = 0;
let peakHeap = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const timer = setInterval(sample, 20);
const before = process.memoryUsage();
const openai = new OpenAI({
  apiKey: 'sk-test-FAKE',
  baseURL: 'http://127.0.0.1:59999/v1',
  maxRetries: 0,
});
await record({ cassette: file, mode: 'replay' }, async () => {
  for (let i = 0; i < 20; i++) {
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `question ${i}` }],
    });
    sample();
  }
});
clearInterval(timer);
sample();
const mb = (n: number) => Math.round(n / 1024 / 1024);
process.stdout.write(
  `${JSON.stringify({ bench: 'memory', file_mb: mb(statSync(file).size), exchanges: count, rss_before_mb: mb(before.rss), peak_rss_mb: mb(peakRss), peak_heap_mb: mb(peakHeap) })}\n`,
);
