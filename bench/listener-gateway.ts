/**
 * Listener gateway overhead against its floor, a minimal Node http forwarder, measured in the same
 * run on loopback: added latency (median, p99) for non-streaming requests, time to first streamed
 * event, throughput at 64 concurrent streams, and heap growth over 10,000 requests (capture on,
 * writing a real cassette). Usage: node bench/listener-gateway.ts [--quick] [--json]
 * Prints a table and one JSON line; `runListenerBench()` returns the same object.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createListenerCapture } from '../src/listener/capture.ts';
import { createGateway } from '../src/listener/index.ts';

const JSON_BODY = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-bench',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'hello '.repeat(40) },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 10, completion_tokens: 40, total_tokens: 50 },
});
const chunk = (i: number) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'gpt-bench', choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] })}\n\n`;

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

/** The provider stand-in: JSON, or 20 SSE events written one per tick. */
function upstream(): http.Server {
  return http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (!req.url?.includes('stream')) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(JSON_BODY),
        });
        return res.end(JSON_BODY);
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const next = () => {
        if (i === 20) return res.end('data: [DONE]\n\n');
        res.write(chunk(i++));
        setImmediate(next);
      };
      next();
    });
  });
}

/** The floor: the least a forwarding proxy can do (pipe both ways, keep-alive upstream). */
function forwarder(target: string): http.Server {
  const agent = new http.Agent({ keepAlive: true });
  const base = new URL(target);
  return http.createServer({ noDelay: true }, (req, res) => {
    const up = http.request(
      {
        host: base.hostname,
        port: base.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: base.host },
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.flushHeaders();
        upRes.pipe(res);
      },
    );
    req.pipe(up);
  });
}

const client = new http.Agent({ keepAlive: true, maxSockets: 256 });
const BODY = JSON.stringify({ model: 'gpt-bench', messages: [{ role: 'user', content: 'hi' }] });

/** One request; resolves with [ms to first body byte, ms to end]. */
function once(base: string, stream: boolean): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = 0;
    const req = http.request(
      `${base}/v1/chat/completions${stream ? '?stream' : ''}`,
      {
        method: 'POST',
        agent: client,
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer sk-test-FAKE',
          'content-length': Buffer.byteLength(BODY),
        },
      },
      (res) => {
        res.on('data', () => {
          if (!first) first = performance.now() - t0;
        });
        res.on('end', () => resolve([first, performance.now() - t0]));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

async function sequential(base: string, n: number, stream: boolean) {
  const total: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < n; i++) {
    const [f, t] = await once(base, stream);
    first.push(f);
    total.push(t);
  }
  return { total, first };
}

async function concurrent(base: string, streams: number, rounds: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: streams }, async () => {
      for (let r = 0; r < rounds; r++) await once(base, true);
    }),
  );
  return (streams * rounds) / ((performance.now() - t0) / 1000);
}

// A settled heap needs a full GC; the flag can be set at runtime, so no `--expose-gc` is needed.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

export async function runListenerBench(options: { quick?: boolean } = {}) {
  const q = options.quick ? 10 : 1;
  const dir = mkdtempSync(join(tmpdir(), 'rk-bench-'));
  const up = upstream();
  const upUrl = await listen(up);
  const fw = forwarder(upUrl);
  const fwUrl = await listen(fw);
  const gateway = await createGateway({
    port: 0,
    upstreams: { openai: upUrl },
    capture: createListenerCapture({
      artifact: join(dir, 'bench.rpk'),
      rotate: { sizeBytes: 64 * 1024 * 1024 },
    }),
  });
  try {
    // Warm both paths (JIT, sockets) before anything is timed.
    await sequential(fwUrl, 300 / q, true);
    await sequential(gateway.url, 300 / q, true);
    const n = 2000 / q;
    // Interleaved halves so drift (GC, CPU frequency) hits both alike.
    const f1 = await sequential(fwUrl, n / 2, false);
    const l1 = await sequential(gateway.url, n / 2, false);
    const f2 = await sequential(fwUrl, n / 2, false);
    const l2 = await sequential(gateway.url, n / 2, false);
    const fwLat = [...f1.total, ...f2.total];
    const lsLat = [...l1.total, ...l2.total];
    const fs1 = await sequential(fwUrl, 500 / q, true);
    const ls1 = await sequential(gateway.url, 500 / q, true);
    const fwTput = await concurrent(fwUrl, 64, 20 / q);
    const lsTput = await concurrent(gateway.url, 64, 20 / q);
    const memN = 10_000 / q;
    await sequential(gateway.url, 1000 / q, false);
    const before = heapMb();
    await sequential(gateway.url, memN, false);
    const after = heapMb();
    const result = {
      bench: 'listener-gateway',
      requests: { latency: n, ttfe: 500 / q, throughput_streams: 64 * (20 / q), memory: memN },
      latency_ms: {
        forwarder: { p50: pct(fwLat, 50), p99: pct(fwLat, 99) },
        listener: { p50: pct(lsLat, 50), p99: pct(lsLat, 99) },
        added_p50: pct(lsLat, 50) - pct(fwLat, 50),
        added_p99: pct(lsLat, 99) - pct(fwLat, 99),
      },
      ttfe_ms: {
        forwarder_p50: pct(fs1.first, 50),
        listener_p50: pct(ls1.first, 50),
        added_p50: pct(ls1.first, 50) - pct(fs1.first, 50),
      },
      throughput_64_streams_per_s: { forwarder: fwTput, listener: lsTput, ratio: lsTput / fwTput },
      heap_mb: {
        before,
        after,
        growth: after - before,
        gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
      },
    };
    return result;
  } finally {
    await gateway.close({ drainTimeoutMs: 100 });
    fw.close();
    up.close();
    client.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runListenerBench({ quick: process.argv.includes('--quick') });
  // `--json`: one JSON line only, for bench/run.ts.
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(r));
    process.exit(0);
  }
  const f = (x: number) => x.toFixed(3);
  console.log(`listener vs minimal forwarder (loopback, capture on)
  added latency     p50 ${f(r.latency_ms.added_p50)} ms   p99 ${f(r.latency_ms.added_p99)} ms   (budget 1 / 3 ms)
  first event       +${f(r.ttfe_ms.added_p50)} ms at p50 (forwarder ${f(r.ttfe_ms.forwarder_p50)}, listener ${f(r.ttfe_ms.listener_p50)})   (budget 1 ms)
  64 streams        ${r.throughput_64_streams_per_s.listener.toFixed(0)}/s vs ${r.throughput_64_streams_per_s.forwarder.toFixed(0)}/s = ${(100 * r.throughput_64_streams_per_s.ratio).toFixed(1)} %   (budget >= 80 %)
  heap              ${f(r.heap_mb.growth)} MB over ${r.requests.memory} requests   (budget +-20 MB)`);
  console.log(JSON.stringify(r));
}
