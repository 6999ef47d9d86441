/**
 * (c) Memory while replaying a large cassette, per replay path: a synthetic cassette of
 * `BENCH_MEMORY_MB` MB (default 200; 1024 for issue 15's 1 GB; 1 for the baseline each path is
 * held to: a large cassette must stay within 60 MB of it) of large JSON answers, the size class of
 * agent runs with big tool outputs. Generated once on tmp disk, then reused.
 * - `record`: `record()` replay, the real `openai` SDK, 20 exchanges.
 * - `listener`: the listener's `--mode replay` gateway on loopback, the same 20 exchanges.
 * Usage: node bench/memory.ts [record|listener]; prints one JSON line.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { record } from '../src/index.ts';
import { createListenerCapture } from '../src/listener/capture.ts';
import { createGateway } from '../src/listener/index.ts';
import { writeLargeChatCassette } from '../test/support/large-cassette.ts';
import { BENCH_DIR } from './workload.ts';

const replayPath = process.argv[2] ?? 'record';
const MB = Number(process.env.BENCH_MEMORY_MB ?? 200);
const file = path.join(BENCH_DIR, `large-${MB}mb.rpk`);
const BODY = Math.min(200_000, Math.floor((MB * 1024 * 1024) / 40));
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
const calls = async (baseURL: string) => {
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL, maxRetries: 0 });
  for (let i = 0; i < 20; i++) {
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `question ${i}` }],
    });
    sample();
  }
};
if (replayPath === 'listener') {
  const gateway = await createGateway({
    port: 0,
    mode: 'replay',
    cassette: file,
    upstreams: { openai: 'http://127.0.0.1:9' },
    capture: createListenerCapture({
      artifact: path.join(BENCH_DIR, 'memory-listener-served.rpk'),
      responseSource: 'replay',
    }),
  });
  try {
    await calls(`${gateway.url}/v1`);
  } finally {
    await gateway.close();
  }
} else {
  await record({ cassette: file, mode: 'replay' }, () => calls('http://127.0.0.1:59999/v1'));
}
clearInterval(timer);
sample();
const mb = (n: number) => Math.round(n / 1024 / 1024);
process.stdout.write(
  `${JSON.stringify({ bench: 'memory', path: replayPath, file_mb: mb(statSync(file).size), exchanges: count, rss_before_mb: mb(before.rss), peak_rss_mb: mb(peakRss), peak_heap_mb: mb(peakHeap) })}\n`,
);
