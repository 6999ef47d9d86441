/**
 * Listener gateway overhead against its floor, a minimal Node http forwarder, measured in the same
 * run on loopback. The upstream, the forwarder and the listener (the real `listen start
 * --foreground` code, capture on, writing a real cassette) each run in their own child process;
 * this process is only the client, so nothing under test shares an event loop with it.
 *
 * Both proxies get the same requests, in rounds that alternate which one goes first (so drift,
 * GC and other load on the machine hit both alike); each figure is the median over the rounds of
 * that round's value, and each ratio the median of the per-round ratios.
 *   added latency (p50, p99) of non-streaming requests, time to first streamed event, throughput
 *   at 64 concurrent streams, CPU time per exchange of each proxy process, and the listener's
 *   heap growth over 10,000 requests (half of them streams) after a full GC.
 * Usage: node bench/listener-gateway.ts [--quick] [--json] [--rounds N] [--no-capture]
 */

import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const SERVERS = fileURLToPath(new URL('./listener-servers.ts', import.meta.url));

export interface Server {
  url: string;
  child: ChildProcess;
  ask<T>(message: string): Promise<T>;
  stop(): Promise<void>;
}

/** Forks one role of listener-servers.ts and waits for its URL. */
export function spawnServer(args: string[], execArgv: string[] = []): Promise<Server> {
  const child = fork(SERVERS, args, {
    execPath: process.execPath,
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited early (${code})`)));
    child.once('message', (m) => {
      const url = (m as { url: string }).url;
      resolve({
        url,
        child,
        ask: <T>(message: string) =>
          new Promise<T>((res) => {
            child.once('message', (reply) => res(reply as T));
            child.send(message);
          }),
        stop: () =>
          new Promise<void>((res) => {
            child.removeAllListeners('exit');
            child.once('exit', () => res());
            child.send('stop');
          }),
      });
    });
  });
}

const client = new http.Agent({ keepAlive: true, maxSockets: 256 });
const BODY = JSON.stringify({ model: 'gpt-bench', messages: [{ role: 'user', content: 'hi' }] });

/**
 * One request; resolves with [ms to first body byte, ms to end]. A keep-alive socket the server
 * closed just as it was reused is retried once, as SDK clients do (either proxy may hit it).
 */
export async function once(base: string, stream: boolean): Promise<[number, number]> {
  try {
    return await attempt(base, stream);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
    return attempt(base, stream);
  }
}

function attempt(base: string, stream: boolean): Promise<[number, number]> {
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
const median = (xs: number[]) => pct(xs, 50);

async function sequential(base: string, n: number, stream: boolean | 'mixed') {
  const total: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < n; i++) {
    const [f, t] = await once(base, stream === 'mixed' ? i % 2 === 1 : stream);
    first.push(f);
    total.push(t);
  }
  return { total, first };
}

/** Exchanges per second with `streams` clients each running `each` streamed requests. */
export async function concurrent(base: string, streams: number, each: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: streams }, async () => {
      for (let r = 0; r < each; r++) await once(base, true);
    }),
  );
  return (streams * each) / ((performance.now() - t0) / 1000);
}

type Cpu = { user: number; system: number };
const cpuMs = async (s: Server) => {
  const c = await s.ask<{ cpu: Cpu }>('cpu');
  return (c.cpu.user + c.cpu.system) / 1000;
};

interface Round {
  lat: { p50: number; p99: number };
  ttfe: number;
  tput: number;
  cpu_ms_per_exchange: number;
  /** CPU per exchange of each process during the 64-stream run: where the machine's time went. */
  stream_cpu_ms: { proxy: number; upstream: number; client: number };
}

async function measure(s: Server, up: Server, n: { lat: number; ttfe: number; each: number }) {
  const cpu0 = await cpuMs(s);
  const lat = await sequential(s.url, n.lat, false);
  const ttfe = await sequential(s.url, n.ttfe, true);
  const [proxy0, up0, client0] = [await cpuMs(s), await cpuMs(up), process.cpuUsage()];
  const tput = await concurrent(s.url, 64, n.each);
  const client = process.cpuUsage(client0);
  const streams = 64 * n.each;
  const stream_cpu_ms = {
    proxy: ((await cpuMs(s)) - proxy0) / streams,
    upstream: ((await cpuMs(up)) - up0) / streams,
    client: (client.user + client.system) / 1000 / streams,
  };
  const exchanges = n.lat + n.ttfe + streams;
  return {
    lat: { p50: pct(lat.total, 50), p99: pct(lat.total, 99) },
    ttfe: pct(ttfe.first, 50),
    tput,
    cpu_ms_per_exchange: ((await cpuMs(s)) - cpu0) / exchanges,
    stream_cpu_ms,
  } satisfies Round;
}

export async function runListenerBench(
  options: { quick?: boolean; rounds?: number; noCapture?: boolean } = {},
) {
  const q = options.quick ? 5 : 1;
  const rounds = options.rounds ?? (options.quick ? 2 : 6);
  const dir = mkdtempSync(join(tmpdir(), 'rk-bench-'));
  const up = await spawnServer(['upstream']);
  const [fw, ls] = await Promise.all([
    spawnServer(['forwarder', up.url]),
    // `--no-capture`: the listener's gateway without a capture sink (forwarding cost alone).
    spawnServer(options.noCapture ? ['gateway', up.url] : ['listener', up.url, dir]),
  ]);
  try {
    // Warm both paths (JIT, sockets) before anything is timed.
    for (const s of [fw, ls]) {
      await sequential(s.url, 300 / q, 'mixed');
      await concurrent(s.url, 64, 2);
    }
    const n = { lat: 500 / q, ttfe: 200 / q, each: 10 / q };
    const per: { fw: Round; ls: Round }[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate who goes first: whatever else the machine is doing hits both alike.
      if (r % 2 === 0) {
        const f = await measure(fw, up, n);
        per.push({ fw: f, ls: await measure(ls, up, n) });
      } else {
        const l = await measure(ls, up, n);
        per.push({ fw: await measure(fw, up, n), ls: l });
      }
    }
    const memN = 10_000 / q;
    await sequential(ls.url, 1000 / q, 'mixed');
    const before = (await ls.ask<{ heap_mb: number }>('heap')).heap_mb;
    await sequential(ls.url, memN, 'mixed');
    const after = (await ls.ask<{ heap_mb: number }>('heap')).heap_mb;

    const m = (pick: (r: { fw: Round; ls: Round }) => number) => median(per.map(pick));
    return {
      bench: options.noCapture ? 'listener-gateway (no capture)' : 'listener-gateway',
      setup: 'client in this process; upstream, forwarder and listener in one child process each',
      rounds,
      requests_per_round: {
        latency: n.lat,
        ttfe: n.ttfe,
        throughput: 64 * n.each,
      },
      latency_ms: {
        forwarder: { p50: m((r) => r.fw.lat.p50), p99: m((r) => r.fw.lat.p99) },
        listener: { p50: m((r) => r.ls.lat.p50), p99: m((r) => r.ls.lat.p99) },
        added_p50: m((r) => r.ls.lat.p50 - r.fw.lat.p50),
        added_p99: m((r) => r.ls.lat.p99 - r.fw.lat.p99),
      },
      ttfe_ms: {
        forwarder_p50: m((r) => r.fw.ttfe),
        listener_p50: m((r) => r.ls.ttfe),
        added_p50: m((r) => r.ls.ttfe - r.fw.ttfe),
      },
      throughput_64_streams_per_s: {
        forwarder: m((r) => r.fw.tput),
        listener: m((r) => r.ls.tput),
        ratio: m((r) => r.ls.tput / r.fw.tput),
        ratio_per_round: per.map((r) => r.ls.tput / r.fw.tput),
      },
      cpu_ms_per_exchange: {
        forwarder: m((r) => r.fw.cpu_ms_per_exchange),
        listener: m((r) => r.ls.cpu_ms_per_exchange),
      },
      // The three processes share the machine's cores: when they are all busy, throughput is
      // bounded by their summed CPU per stream, and the proxy's share decides the ratio.
      stream_cpu_ms: {
        cores: availableParallelism(),
        forwarder_run: {
          proxy: m((r) => r.fw.stream_cpu_ms.proxy),
          upstream: m((r) => r.fw.stream_cpu_ms.upstream),
          client: m((r) => r.fw.stream_cpu_ms.client),
        },
        listener_run: {
          proxy: m((r) => r.ls.stream_cpu_ms.proxy),
          upstream: m((r) => r.ls.stream_cpu_ms.upstream),
          client: m((r) => r.ls.stream_cpu_ms.client),
        },
      },
      heap_mb: { requests: memN, before, after, growth: after - before },
    };
  } finally {
    await Promise.all([fw.stop(), ls.stop()]);
    await up.stop();
    client.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--rounds');
  const r = await runListenerBench({
    quick: process.argv.includes('--quick'),
    noCapture: process.argv.includes('--no-capture'),
    ...(at > 0 ? { rounds: Number(process.argv[at + 1]) } : {}),
  });
  // `--json`: one JSON line only, for bench/run.ts.
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(r));
    process.exit(0);
  }
  const f = (x: number) => x.toFixed(3);
  const cpuSplit = (c: { proxy: number; upstream: number; client: number }) =>
    `${f(c.proxy)} / ${f(c.upstream)} / ${f(c.client)}`;
  const t = r.throughput_64_streams_per_s;
  console.log(`listener vs minimal forwarder (loopback, capture on, separate processes, median of ${r.rounds} rounds)
  added latency     p50 ${f(r.latency_ms.added_p50)} ms   p99 ${f(r.latency_ms.added_p99)} ms   (forwarder ${f(r.latency_ms.forwarder.p50)} / ${f(r.latency_ms.forwarder.p99)}; budget 1 / 3 ms)
  first event       +${f(r.ttfe_ms.added_p50)} ms at p50 (forwarder ${f(r.ttfe_ms.forwarder_p50)}, listener ${f(r.ttfe_ms.listener_p50)})   (budget 1 ms)
  64 streams        ${t.listener.toFixed(0)}/s vs ${t.forwarder.toFixed(0)}/s = ${(100 * t.ratio).toFixed(1)} % (rounds: ${t.ratio_per_round.map((x) => (100 * x).toFixed(0)).join(' ')})   (budget >= 80 %)
  cpu per exchange  listener ${f(r.cpu_ms_per_exchange.listener)} ms, forwarder ${f(r.cpu_ms_per_exchange.forwarder)} ms
  cpu per stream    (64 streams, ${r.stream_cpu_ms.cores} cores) proxy / upstream / client: listener run ${cpuSplit(r.stream_cpu_ms.listener_run)}, forwarder run ${cpuSplit(r.stream_cpu_ms.forwarder_run)} ms
  heap              ${f(r.heap_mb.growth)} MB over ${r.heap_mb.requests} requests   (budget +-20 MB)`);
  console.log(JSON.stringify(r));
}
