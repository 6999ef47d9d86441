/**
 * (c) Memory while replaying a large cassette: a synthetic ~200 MB cassette (large JSON responses,
 * the size class of agent runs with big tool outputs), replayed through `record()` with the real
 * `openai` SDK for its first exchanges; reports the file size and the peak RSS and heap.
 * Usage: node bench/memory.ts; prints one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { createCassetteWriter } from '../src/cassette/writer.ts';
import { record } from '../src/index.ts';
import { normalizeStep } from '../src/pipeline/canonical.ts';
import { BENCH_DIR } from './workload.ts';

const MB = Number(process.env.BENCH_MEMORY_MB ?? 200);
const file = path.join(BENCH_DIR, `large-${MB}mb.rpk`);
const BODY = 200_000;
const count = Math.ceil((MB * 1024 * 1024) / BODY);

if (!existsSync(file)) {
  const writer = createCassetteWriter(file, {
    header: {
      run_id: randomUUID(),
      capture: 'sdk',
      response_source: 'live',
      tool: { name: 'replaykit', version: 'bench' },
      redaction: { policy: 'default' },
    },
    normalize: normalizeStep,
    replace: true,
  });
  const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(BODY / 27)).slice(0, BODY);
  for (let i = 0; i < count; i++) {
    const base = {
      correlation_id: randomUUID(),
      provider: 'openai',
      endpoint: 'chat.completions',
      offset_ms: i,
    } as const;
    const messages = [{ role: 'user', content: `question ${i}` }];
    writer.append({
      ...base,
      type: 'model.request',
      method: 'POST',
      url: '/v1/chat/completions',
      transport: 'http',
      stream: false,
      model: 'gpt-4o-mini',
      headers: { 'content-type': 'application/json' },
      body: { model: 'gpt-4o-mini', messages },
    });
    const choice = {
      index: 0,
      message: { role: 'assistant', content: filler },
      finish_reason: 'stop',
    };
    writer.append({
      ...base,
      type: 'model.response',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: {
        id: `c${i}`,
        object: 'chat.completion',
        created: 0,
        model: 'gpt-4o-mini',
        choices: [choice],
      },
    });
  }
  writer.seal();
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
