/**
 * `npm run bench`: every benchmark in its own process (interceptors are process-wide), side by
 * side in the same run, printed as one table of ratios. Figures and the machine they came from
 * go in docs/PERFORMANCE.md. Timings here are never asserted by tests.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

async function run(file: string, ...args: string[]): Promise<Record<string, unknown>[]> {
  const { stdout } = await execa(process.execPath, [here(file), ...args], {
    env: process.env,
    stderr: 'inherit',
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const n = (v: unknown) => Number(v);
const f = (v: number, digits = 2) => v.toFixed(digits);

console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown'} x${os.cpus().length}, ${os.platform()} ${os.arch()}, Node ${process.version}, load ${os
    .loadavg()
    .map((l) => f(l, 1))
    .join(' ')}`,
);

// (a) The cassette and Polly's recording are made on a first run of each (untimed) and reused.
await run('./replay-sdk.ts', 'floor');
await run('./replay-sdk.ts', 'polly');
const tools = ['floor', 'replaykit', 'nock', 'polly', 'loopback'] as const;
const rows: Record<string, Record<string, unknown>> = {};
for (const tool of tools) rows[tool] = (await run('./replay-sdk.ts', tool))[0]!;
const rk = rows.replaykit!;
console.log(`\n(a) replay ${rk.n} exchanges (openai/anthropic/gemini SDKs, half streaming)`);
console.log('tool        wall ms   cpu ms   ms/exchange (cpu)   replaykit cpu / tool cpu   ok');
for (const tool of tools) {
  const r = rows[tool]!;
  console.log(
    `${tool.padEnd(10)} ${f(n(r.ms), 0).padStart(7)} ${f(n(r.cpu_ms), 0).padStart(8)} ${f(n(r.cpu_ms) / n(r.n), 3).padStart(13)}       ${f(n(rk.cpu_ms) / n(r.cpu_ms)).padStart(14)}            ${r.ok}`,
  );
}

// (a') Issue 15's floor: the OpenAI SDK given canned responses, alternated with replaykit in
// one process round by round; the ratio is per round (min / median / max).
const openai = await run('./replay-openai.ts', process.env.BENCH_ROUNDS ?? '6');
const ratio = openai.find((r) => 'ratio' in r)!;
console.log(`\n(a') ${openai[0]?.n} OpenAI SDK calls, half streamed, alternated in one process`);
console.log('tool        min ms   median ms   max ms');
for (const r of openai.filter((r) => 'tool' in r)) {
  console.log(
    `${String(r.tool).padEnd(10)} ${f(n(r.min), 0).padStart(7)} ${f(n(r.median), 0).padStart(10)} ${f(n(r.max), 0).padStart(8)}`,
  );
}
console.log(
  `replaykit / canned-fetch floor: ${ratio.min} / ${ratio.median} / ${ratio.max} (min / median / max per round; goal <= 1.3); SDK-alone floor / canned: ${ratio.floor_over_canned}`,
);

// (b)
const pass = await run('./passthrough.ts');
const none = n(pass.find((p) => p.variant === 'none')?.median_ms);
console.log(`\n(b) interception overhead per request, loopback server, median of ${pass[0]?.n}`);
console.log('variant             median ms   overhead ms');
for (const p of pass) {
  console.log(
    `${String(p.variant).padEnd(18)} ${f(n(p.median_ms), 3).padStart(9)}   ${f(n(p.median_ms) - none, 3).padStart(10)}`,
  );
}

// (c) Per replay path: a 1 MB cassette, then the large one (BENCH_MEMORY_MB, default 200; 1024
// for 1 GB). Issue 15's bound: the large one's peak RSS within 60 MB of the 1 MB one's.
// BENCH_MEMORY_HEAP=64 runs each path under a 64 MB V8 heap: what a path needs, not what V8's
// lazy collection lets it grow to when memory is plentiful.
const HEAP_CAP = process.env.BENCH_MEMORY_HEAP
  ? [`--max-old-space-size=${process.env.BENCH_MEMORY_HEAP}`]
  : [];
console.log(
  `\n(c) memory replaying a large cassette, per replay path (bound: +60 MB over 1 MB)${HEAP_CAP.length ? `, V8 heap capped at ${process.env.BENCH_MEMORY_HEAP} MB` : ''}`,
);
console.log('path       file MB   peak RSS 1 MB   peak RSS large   difference   peak heap large');
for (const replayPath of ['record', 'listener', 'parity', 'replay', 'assert']) {
  const memory = async (mb: string) =>
    (
      await execa(process.execPath, [...HEAP_CAP, here('./memory.ts'), replayPath], {
        env: { ...process.env, BENCH_MEMORY_MB: mb },
        stderr: 'inherit',
      })
    ).stdout;
  const small = JSON.parse(await memory('1')) as Record<string, number>;
  const large = JSON.parse(await memory(process.env.BENCH_MEMORY_MB ?? '200')) as Record<
    string,
    number
  >;
  const diff = n(large.peak_rss_mb) - n(small.peak_rss_mb);
  console.log(
    `${replayPath.padEnd(9)} ${String(large.file_mb).padStart(8)} ${String(small.peak_rss_mb).padStart(15)} ${String(large.peak_rss_mb).padStart(16)} ${`${diff >= 0 ? '+' : ''}${diff}`.padStart(12)} ${String(large.peak_heap_mb).padStart(17)}`,
  );
}

// (d) The passive listener (capture on) against a minimal Node forwarder, same run, loopback.
const [lst] = await run('./listener-gateway.ts', '--json');
const lat = lst?.latency_ms as { added_p50: number; added_p99: number };
const ttfe = lst?.ttfe_ms as { added_p50: number };
const tput = lst?.throughput_64_streams_per_s as { ratio: number };
const heap = lst?.heap_mb as { growth: number; requests: number };
type Split = { proxy: number; upstream: number; client: number };
const split = lst?.stream_cpu_ms as { cores: number; forwarder_run: Split; listener_run: Split };
const cpu = (c: Split) => `${f(c.proxy, 3)} / ${f(c.upstream, 3)} / ${f(c.client, 3)}`;
console.log(
  '\n(d) listener vs minimal forwarder (budget: +1 ms p50, +3 ms p99, +1 ms first event, >= 80 %, +-20 MB)',
);
console.log(
  `added latency p50 ${f(lat.added_p50, 3)} ms, p99 ${f(lat.added_p99, 3)} ms; first event +${f(ttfe.added_p50, 3)} ms; 64 streams ${f(100 * tput.ratio, 1)} % of the forwarder; heap ${f(heap.growth, 1)} MB over ${heap.requests} requests (each proxy in its own process, median of ${lst?.rounds} rounds)`,
);
console.log(
  `cpu ms per stream at 64 streams, proxy / upstream / client (${split.cores} cores shared): listener run ${cpu(split.listener_run)}, forwarder run ${cpu(split.forwarder_run)}`,
);

// (e) Issue 14: recording the real-stream corpus through its SDKs, live and recorded alternated
// round by round in one process (goal: record <= 1.3x live).
const [corpus] = await run('./corpus-record.ts', process.env.BENCH_ROUNDS ?? '5');
console.log(
  `\n(e) real-stream corpus, ${corpus?.streams} streams through their SDKs (median of ${corpus?.rounds} rounds; goal <= 1.30x)`,
);
console.log(
  `live ${f(n(corpus?.live_ms), 0)} ms, record ${f(n(corpus?.record_ms), 0)} ms, record / live ${f(n(corpus?.ratio))}x`,
);

// (f) Issue 19: the viewer page of a 10,000-exchange cassette (20 streamed events each), written
// in-process, then opened in headless chromium (goals: written < 3 s, first paint < 2 s).
const [view] = await run('./viewer.ts');
const frames = view?.scroll_frame_ms as { median: number; p95: number; max: number } | undefined;
console.log(
  `\n(f) viewer: ${view?.exchanges} exchanges (${view?.cassette_mb} MB cassette) -> ${view?.html_mb} MB page`,
);
console.log(
  `written in ${view?.write_ms} ms (goal < 3000); first paint ${view?.first_paint_ms ?? '-'} ms, rows on screen ${view?.rows_ms ?? '-'} ms (goal < 2000); scrolling frame ms median ${frames?.median ?? '-'} / p95 ${frames?.p95 ?? '-'} / max ${frames?.max ?? '-'} with ${view?.dom_rows ?? '-'} rows in the DOM`,
);
