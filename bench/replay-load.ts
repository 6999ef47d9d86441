/**
 * Loading a cassette for replay, alone: `loadForReplay` of the workload's cassette (bench/workload.ts,
 * recorded on first use), repeated; prints the mean and the fastest load in ms as one JSON line.
 * Usage: node bench/replay-load.ts [loads]
 */
import { loadForReplay } from '../src/pipeline/cassette.ts';
import { workloadCassette } from './workload.ts';

const loads = Number(process.argv[2] ?? 20);
const { file } = await workloadCassette();
await loadForReplay(file); // warm-up: module loading, JIT
const times: number[] = [];
for (let i = 0; i < loads; i++) {
  const start = performance.now();
  await loadForReplay(file);
  times.push(performance.now() - start);
}
const mean = times.reduce((a, b) => a + b, 0) / times.length;
process.stdout.write(
  `${JSON.stringify({ bench: 'replay-load', loads, mean_ms: mean, min_ms: Math.min(...times) })}\n`,
);
