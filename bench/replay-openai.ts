/**
 * (a') Issue 15's floor: 1,000 OpenAI SDK calls (Chat Completions, every other one streamed)
 * replayed by replaykit, against the SDK given a `fetch` that returns canned responses (the bytes
 * built once, before timing: no interception, no matching, no cassette). No replay tool can go
 * below `canned`. `floor` is the SDK-alone floor of bench/replay-sdk.ts (a fetch building each
 * response from the cassette's steps). The three alternate round by round in ONE process (warm
 * JIT, same load for each); the ratio is taken per round, so a loaded minute hits both sides.
 * Usage: node bench/replay-openai.ts [rounds] [source-root...]; one JSON line per tool, then one
 * with the replaykit ÷ canned ratios (min, median, max over the rounds).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { record } from '../src/index.ts';
import { loadCassette } from '../src/pipeline/cassette.ts';
import { served, toResponse } from '../src/replay/serve.ts';
import { startFakeUpstream } from '../test/support/fake-upstream/index.ts';
import { BENCH_DIR, N } from './workload.ts';

const rounds = Number(process.argv[2] ?? 10);
const roots = [path.resolve(import.meta.dirname, '..'), ...process.argv.slice(3)];
const origin = 'http://127.0.0.1:59999';

async function openaiWorkload(base: string, n = N): Promise<string[]> {
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${base}/v1`, maxRetries: 0 });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const messages = [{ role: 'user' as const, content: `question ${i}` }];
    if (i % 2) {
      const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
      out.push(r.choices[0]?.message.content ?? '');
      continue;
    }
    let text = '';
    const s = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    for await (const chunk of s) text += chunk.choices[0]?.delta.content ?? '';
    out.push(text);
  }
  return out;
}

mkdirSync(BENCH_DIR, { recursive: true });
const file = path.join(BENCH_DIR, `openai-${N}.rpk`);
if (!existsSync(file)) {
  const up = await startFakeUpstream();
  try {
    await record({ cassette: file, mode: 'record' }, () => openaiWorkload(up.url));
  } finally {
    await up.close();
  }
}
const responses = (await loadCassette(file)).steps.filter((s) => s.type === 'model.response');

// Canned: status, headers and body chunks made once; each call only wraps them in a Response
// (one chunk per stream event, as a socket would deliver them).
const canned = responses.map((step) => served(step));
let next = 0;
const readBody = async (init?: RequestInit) => {
  if (init?.body instanceof ReadableStream) await new Response(init.body).arrayBuffer();
};
const cannedFetch: typeof fetch = async (_input, init) => {
  await readBody(init);
  const a = canned[next++ % canned.length]!;
  const opts = { status: a.status, headers: a.headers };
  const chunks = a.chunks;
  if (!chunks) return new Response(null, opts);
  if (chunks.length === 1) return new Response(chunks[0] as Buffer<ArrayBuffer>, opts);
  let i = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(c) {
        if (i < chunks.length) c.enqueue(chunks[i++]!);
        else c.close();
      },
    }),
    opts,
  );
};
const floorFetch: typeof fetch = async (_input, init) => {
  await readBody(init);
  return toResponse(responses[next++ % responses.length]!);
};
const withFetch = (f: typeof fetch) => async () => {
  // Put back what was there, not the fetch this process started with: replaykit installs its
  // fetch shortcut over the global once, and restoring the original would leave every later
  // replaykit round on the long way (undici), as replay-alternate.ts did before issue 15.
  const before = globalThis.fetch;
  globalThis.fetch = f;
  next = 0;
  try {
    return await openaiWorkload(origin);
  } finally {
    globalThis.fetch = before;
  }
};
const runs: [string, () => Promise<string[]>][] = [
  ['canned', withFetch(cannedFetch)],
  ['floor', withFetch(floorFetch)],
];
for (const root of roots) {
  const mod = (await import(path.join(root, 'src/index.ts'))) as typeof import('../src/index.ts');
  const name = root === roots[0] ? 'replaykit' : root;
  runs.push([
    name,
    async () =>
      (await mod.record({ cassette: file, mode: 'replay' }, () => openaiWorkload(origin))).value,
  ]);
}
for (const [name, run] of runs) {
  const out = await run();
  if (out.length !== N || out.some((t) => t.length === 0))
    throw new Error(`${name}: wrong answers`);
}
const wall = runs.map((): number[] => []);
for (let k = 0; k < rounds; k++) {
  for (let j = 0; j < runs.length; j++) {
    const i = (k + j) % runs.length;
    const started = performance.now();
    await runs[i]![1]();
    wall[i]!.push(performance.now() - started);
  }
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[s.length >> 1]!, max: s[s.length - 1]! };
};
for (const [i, [name]] of runs.entries()) {
  const { min, median, max } = stats(wall[i]!);
  process.stdout.write(
    `${JSON.stringify({ bench: 'replay-openai', tool: name, n: N, min: Math.round(min), median: Math.round(median), max: Math.round(max), rounds: wall[i]!.map(Math.round) })}\n`,
  );
}
for (let r = 2; r < runs.length; r++) {
  const ratio = stats(wall[r]!.map((w, k) => w / wall[0]![k]!));
  process.stdout.write(
    `${JSON.stringify({ bench: 'replay-openai', ratio: `${runs[r]![0]} / canned`, min: +ratio.min.toFixed(2), median: +ratio.median.toFixed(2), max: +ratio.max.toFixed(2), floor_over_canned: +stats(wall[1]!.map((w, k) => w / wall[0]![k]!)).median.toFixed(2) })}\n`,
  );
}
