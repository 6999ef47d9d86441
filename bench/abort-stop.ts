/**
 * `stop()` after a client abort in record mode (issue 13, symptom 7: it used to wait out the 2 s
 * grace). Each round records one long SSE stream from the fake upstream, aborts it after the first
 * event (AbortController on fetch, or `req.destroy()` on node:http), then times `stop()`.
 * Prints one JSON line per client kind: rounds, median and max ms.
 * Usage: node bench/abort-stop.ts [rounds]
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { record } from '../src/index.ts';
import { startFakeUpstream } from '../test/support/fake-upstream/index.ts';

const rounds = Number(process.argv[2] ?? 10);
const up = await startFakeUpstream();
const text = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
up.reply(() => ({ kind: 'text', text, delayMs: 10 }));
const dir = mkdtempSync(path.join(tmpdir(), 'rk-bench-abort-'));
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [], stream: true });
const url = `${up.url}/v1/chat/completions`;

const clients: Record<string, () => Promise<void>> = {
  fetch: async () => {
    const controller = new AbortController();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: controller.signal,
    });
    await res.body?.getReader().read();
    controller.abort();
  },
  'node:http': () =>
    new Promise<void>((resolve) => {
      const req = request(url, { method: 'POST' }, (res) =>
        res.once('data', () => {
          req.destroy();
          resolve();
        }),
      );
      req.on('error', () => undefined);
      req.end(body);
    }),
};

// Warm-up: the first record() of a process loads modules and installs the interceptor.
await (await record({ cassette: path.join(dir, 'warm-up.rpk'), mode: 'record' })).stop();

for (const [name, abort] of Object.entries(clients)) {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const rec = await record({ cassette: path.join(dir, `${name}-${i}.rpk`), mode: 'record' });
    await abort();
    const start = performance.now();
    await rec.stop();
    times.push(performance.now() - start);
  }
  if (process.env.BENCH_VERBOSE)
    process.stderr.write(`${name}: ${times.map((t) => t.toFixed(1)).join(' ')}\n`);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  process.stdout.write(
    `${JSON.stringify({ bench: 'abort-stop', client: name, rounds, median_ms: median, max_ms: times.at(-1) })}\n`,
  );
}
await up.close();
