/**
 * (a) replay's own per-request work, without the SDKs: for the workload's 1,000 recorded
 * requests, the time to read each as a live request (`liveRequest`), match it (`takeExact`),
 * build its answer (`served`) and read that as a web `Response`, plus building the matcher.
 * Source trees are alternated round by round in one process, as bench/replay-alternate.ts does:
 *   node bench/replay-work.ts 15 /tmp/base
 * Usage: node bench/replay-work.ts [rounds] [source-root...]; min and median ms per stage.
 */
import path from 'node:path';
import type { RawRequest } from '../src/pipeline/exchange.ts';
import { workloadCassette } from './workload.ts';

type Stage = 'matcher' | 'live' | 'match' | 'served' | 'response';
const rounds = Number(process.argv[2] ?? 10);
const roots = [path.resolve(import.meta.dirname, '..'), ...process.argv.slice(3)];
const { file } = await workloadCassette();

async function load(root: string) {
  const at = (p: string) => import(path.join(root, p));
  const { loadReplaySource } = (await at(
    'src/replay/index-file.ts',
  )) as typeof import('../src/replay/index-file.ts');
  const { liveRequest } = (await at(
    'src/replay/live.ts',
  )) as typeof import('../src/replay/live.ts');
  const { ReplayMatcher } = (await at(
    'src/replay/matcher.ts',
  )) as typeof import('../src/replay/matcher.ts');
  const { served, responseOf } = (await at(
    'src/replay/serve.ts',
  )) as typeof import('../src/replay/serve.ts');
  const { normalizeRequest } = (await at(
    'src/providers/index.ts',
  )) as typeof import('../src/providers/index.ts');
  const { keepAsRecorded } = (await at(
    'src/replay/trace.ts',
  )) as typeof import('../src/replay/trace.ts');
  const source = await loadReplaySource(file);
  // The requests as the SDKs sent them (the recorder keeps JSON bodies parsed).
  const raws: RawRequest[] = source.requests.map((r) => ({
    method: r.method,
    url: r.url,
    origin: 'http://127.0.0.1:59999',
    headers: r.headers,
    body: r.body === undefined ? null : Buffer.from(JSON.stringify(r.body)),
    transport: r.transport,
  }));
  return async (ms: Record<Stage, number>) => {
    let t = performance.now();
    const lap = (stage: Stage) => {
      const now = performance.now();
      ms[stage] = now - t;
      t = now;
    };
    const matcher = new ReplayMatcher(file, source, normalizeRequest);
    lap('matcher');
    const lives = raws.map((raw) => liveRequest(raw, keepAsRecorded)!);
    lap('live');
    const hits = lives.map((live) => matcher.takeExact(live.request));
    lap('match');
    const answers = hits.map((hit) => {
      if (!hit?.ok) throw new Error('the workload cassette should match itself');
      const stored = hit.exchange.response;
      if (!stored || !('step' in stored)) throw new Error('expected a response held in memory');
      return served(stored.step);
    });
    lap('served');
    for (const answer of answers) await responseOf(answer).arrayBuffer();
    lap('response');
  };
}

const runs = await Promise.all(roots.map(load));
const stages: Stage[] = ['matcher', 'live', 'match', 'served', 'response'];
const ms = runs.map(() => Object.fromEntries(stages.map((s) => [s, [] as number[]])));
for (const run of runs) await run({} as Record<Stage, number>);
for (let k = 0; k < rounds; k++) {
  for (let j = 0; j < runs.length; j++) {
    const i = (k + j) % runs.length;
    const lap = {} as Record<Stage, number>;
    await runs[i]!(lap);
    for (const s of stages) ms[i]![s]!.push(lap[s]);
  }
}
for (const [i, root] of roots.entries()) {
  const out: Record<string, unknown> = { bench: 'replay-work', tool: root };
  for (const s of stages) {
    const sorted = ms[i]![s]!.sort((a, b) => a - b);
    out[s] = [+sorted[0]!.toFixed(1), +sorted[sorted.length >> 1]!.toFixed(1)];
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
