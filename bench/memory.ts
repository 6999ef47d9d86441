/**
 * (c) Memory while replaying a large cassette, per replay path: a synthetic cassette of
 * `BENCH_MEMORY_MB` MB (default 200; 1024 for issue 15's 1 GB; 1 for the baseline each path is
 * held to: a large cassette must stay within 60 MB of it) of large JSON answers, the size class of
 * agent runs with big tool outputs. Generated once on tmp disk, then reused.
 * - `record`: `record()` replay, the real `openai` SDK, 20 exchanges.
 * - `listener`: the listener's `--mode replay` gateway on loopback, the same 20 exchanges.
 * - `parity`: `expectReplayParity(file)`, every exchange self-replayed, twice.
 * - `replay`, `assert`: the real CLI (`replaypack replay --json`, `replaypack assert`) in a child
 *   process, which reports its own peak RSS (`process.resourceUsage().maxRSS`) on exit.
 * Usage: node bench/memory.ts [record|listener|parity|replay|assert]; prints one JSON line.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import OpenAI from 'openai';
import { expectReplayParity, record } from '../src/index.ts';
import { createListenerCapture } from '../src/listener/capture.ts';
import { createGateway } from '../src/listener/index.ts';
import { writeLargeChatCassette } from '../test/support/large-cassette.ts';
import { BENCH_DIR } from './workload.ts';

const replayPath = process.argv[2] ?? 'record';
const MB = Number(process.env.BENCH_MEMORY_MB ?? 200);
// v2: responses carry their assembly (a cassette its own replay reproduces, for parity).
const file = path.join(BENCH_DIR, `large-${MB}mb-v2.rpk`);
const BODY = Math.min(200_000, Math.floor((MB * 1024 * 1024) / 80));
// Each exchange holds its answer twice (the body and its assembly, as the recorder writes it).
const count = Math.ceil((MB * 1024 * 1024) / (2 * BODY));

if (!existsSync(file)) {
  const filler = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(BODY / 27)).slice(0, BODY);
  writeLargeChatCassette(file, { count, answer: () => filler, replace: true });
}

let peakRss = 0;
let child: { rss: number; heap: number } | undefined;
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
} else if (replayPath === 'parity') {
  await expectReplayParity(file);
} else if (replayPath === 'replay' || replayPath === 'assert') {
  // The real CLI in its own process: its peak RSS is what a user's `replaypack` run needs.
  const report = path.join(BENCH_DIR, `memory-${replayPath}-rss.json`);
  const args = replayPath === 'replay' ? ['replay', file, '--json'] : ['assert', file];
  const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const rss = fileURLToPath(new URL('./report-rss.ts', import.meta.url));
  // The parent's heap cap (BENCH_MEMORY_HEAP, bench/run.ts) applies to the CLI child as well.
  await execa(process.execPath, [...process.execArgv, '--import', rss, cli, ...args], {
    env: { ...process.env, REPLAYKIT_BENCH_RSS: report },
    stdout: 'ignore',
  });
  child = JSON.parse(readFileSync(report, 'utf8')) as { rss: number; heap: number };
} else {
  await record({ cassette: file, mode: 'replay' }, () => calls('http://127.0.0.1:59999/v1'));
}
clearInterval(timer);
sample();
// The kernel's own peak (maxRSS, in KiB), which sampling can miss between two samples.
peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
if (child) {
  peakRss = child.rss;
  peakHeap = child.heap;
}
const mb = (n: number) => Math.round(n / 1024 / 1024);
process.stdout.write(
  `${JSON.stringify({ bench: 'memory', path: replayPath, file_mb: mb(statSync(file).size), exchanges: count, rss_before_mb: mb(before.rss), peak_rss_mb: mb(peakRss), peak_heap_mb: mb(peakHeap) })}\n`,
);
