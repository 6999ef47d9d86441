/**
 * (a) on a noisy machine: the floor and replaykit's replay of the workload alternated round by
 * round in ONE process (warm JIT, same load for both), min and median wall ms per tool. Extra
 * arguments are other source trees to alternate with this one, e.g. a commit before a change:
 *   git archive <commit> src bench test/support | tar -x -C /tmp/base
 *   ln -s $PWD/node_modules /tmp/base/node_modules
 *   node bench/replay-alternate.ts 15 /tmp/base
 * Usage: node bench/replay-alternate.ts [rounds] [source-root...]
 */
import path from 'node:path';
import { loadCassette } from '../src/pipeline/cassette.ts';
import { toResponse } from '../src/replay/serve.ts';
import { runWorkload, workloadCassette } from './workload.ts';

const rounds = Number(process.argv[2] ?? 10);
const roots = [path.resolve(import.meta.dirname, '..'), ...process.argv.slice(3)];
const { file, origin } = await workloadCassette();
const responses = (await loadCassette(file)).steps.filter((s) => s.type === 'model.response');

// As bench/replay-sdk.ts's floor: the SDKs alone, given the recorded responses in order.
let next = 0;
const floorFetch: typeof fetch = async (_input, init) => {
  if (init?.body instanceof ReadableStream) await new Response(init.body).arrayBuffer();
  return toResponse(responses[next++ % responses.length]!);
};
const runs: [string, () => Promise<unknown>][] = [
  [
    'floor',
    async () => {
      // What was there, not the fetch the process started with: restoring that would remove
      // replaykit's fetch shortcut (installed once) for every later replaykit round.
      const before = globalThis.fetch;
      globalThis.fetch = floorFetch;
      next = 0;
      try {
        await runWorkload(origin);
      } finally {
        globalThis.fetch = before;
      }
    },
  ],
];
for (const root of roots) {
  const { record } = (await import(
    path.join(root, 'src/index.ts')
  )) as typeof import('../src/index.ts');
  runs.push([root, () => record({ cassette: file, mode: 'replay' }, () => runWorkload(origin))]);
}
for (const [, run] of runs) await run();
const wall = runs.map((): number[] => []);
for (let k = 0; k < rounds; k++) {
  for (let j = 0; j < runs.length; j++) {
    const i = (k + j) % runs.length;
    const started = performance.now();
    await runs[i]![1]();
    wall[i]!.push(performance.now() - started);
  }
}
for (const [i, [name]] of runs.entries()) {
  const sorted = wall[i]!.sort((a, b) => a - b);
  const min = Math.round(sorted[0]!);
  const median = Math.round(sorted[sorted.length >> 1]!);
  process.stdout.write(
    `${JSON.stringify({ bench: 'replay-alternate', tool: name, min, median })}\n`,
  );
}
