/**
 * (b) Interception overhead per request against a loopback server (median of N sequential fetches):
 * nothing installed; `record()` in passthrough mode; and replay mode letting non-provider traffic
 * through (the interceptor and the fetch route both see it and hand it on).
 * Usage: node bench/passthrough.ts; prints one JSON line per variant.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { record } from '../src/index.ts';
import { workloadCassette } from './workload.ts';

const N = Number(process.env.BENCH_PASSTHROUGH_N ?? 2000);
const server = createServer((_req, res) => res.end('{"ok":true}'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;

async function medianMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    await (await fetch(url)).text();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const { file } = await workloadCassette();
await medianMs(); // warm-up
const variants: [string, () => Promise<number>][] = [
  ['none', medianMs],
  [
    'passthrough',
    async () =>
      (
        await record(
          { cassette: path.join(path.dirname(file), 'none.rpk'), mode: 'passthrough' },
          medianMs,
        )
      ).value,
  ],
  [
    'replay-unhandled',
    async () => (await record({ cassette: file, mode: 'replay' }, medianMs)).value,
  ],
];
for (const [variant, run] of variants) {
  const ms = await run();
  process.stdout.write(
    `${JSON.stringify({ bench: 'passthrough', variant, n: N, median_ms: ms })}\n`,
  );
}
server.close();
