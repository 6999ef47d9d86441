/**
 * Preloaded (`node --import`) into a child whose memory bench/memory.ts measures: on exit it
 * writes the process's own peak RSS (the kernel's maxRSS) and peak sampled heap to the file
 * named by REPLAYKIT_BENCH_RSS.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.REPLAYKIT_BENCH_RSS;
let heap = 0;
const timer = setInterval(() => {
  heap = Math.max(heap, process.memoryUsage().heapUsed);
}, 20);
timer.unref();
process.on('exit', () => {
  if (!file) return;
  heap = Math.max(heap, process.memoryUsage().heapUsed);
  writeFileSync(file, JSON.stringify({ rss: process.resourceUsage().maxRSS * 1024, heap }));
});
