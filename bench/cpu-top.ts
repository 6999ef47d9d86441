/**
 * Self time per function and per source file from `--cpu-prof` profiles.
 * Usage: node bench/cpu-top.ts <file.cpuprofile...> [--top N]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 30;
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
/** Inclusive time of our own functions (src/): each counted once per sample it is on the stack. */
const inclusive = new Map<string, number>();
let total = 0;
for (const file of args) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
  };
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  p.samples.forEach((id, i) => {
    const n = nodes.get(id)!;
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const url = n.callFrame.url.replace(/^.*\/(node_modules|src|bench)\//, '$1/');
    const fn = `${n.callFrame.functionName || '(anon)'} ${url}:${n.callFrame.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + dt);
    const where = url.startsWith('node_modules/')
      ? url
          .split('/')
          .slice(0, url.split('/')[1]?.startsWith('@') ? 3 : 2)
          .join('/')
      : url || n.callFrame.functionName;
    byFile.set(where, (byFile.get(where) ?? 0) + dt);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = nodes.get(at)!.callFrame;
      if (!f.url.includes('/src/')) continue;
      const name = `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/src\//, 'src/')}:${f.lineNumber + 1}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  });
}
const show = (m: Map<string, number>) => {
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(
      `${(v / 1000).toFixed(0).padStart(7)} ms ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`,
    );
};
console.log(`total ${(total / 1000).toFixed(0)} ms\n-- by file`);
show(byFile);
console.log('-- by function (self)');
show(byFn);
console.log('-- src/ functions (inclusive)');
show(inclusive);
