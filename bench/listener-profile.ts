/**
 * Profiles the listener process under the 64-concurrent-stream load of listener-gateway.ts:
 * runs it with `--cpu-prof`, then prints where its CPU went (self time by function, and by
 * source file). Usage: node bench/listener-profile.ts [rounds] [--keep DIR] [--no-capture]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concurrent, spawnServer } from './listener-gateway.ts';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const rounds = Number(process.argv[2] ?? 20);
const keep = process.argv.indexOf('--keep');
const dir = keep > 0 ? process.argv[keep + 1]! : mkdtempSync(join(tmpdir(), 'rk-prof-'));
const up = await spawnServer(['upstream']);
// `--no-capture`: the gateway alone, to tell forwarding cost from capture cost.
const role = process.argv.includes('--no-capture') ? 'gateway' : 'listener';
const ls = await spawnServer(
  [role, up.url, join(dir, 'out')],
  ['--cpu-prof', `--cpu-prof-dir=${dir}`],
);
await concurrent(ls.url, 64, 2);
for (let i = 0; i < rounds; i++) console.log(`${(await concurrent(ls.url, 64, 5)).toFixed(0)}/s`);
await ls.stop();
await up.stop();

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error(`no profile written in ${dir}`);
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[] };
const total = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const n of profile.nodes) {
  const { functionName, url, lineNumber } = n.callFrame;
  const short = url.replace(/^.*\/(src|node_modules)\//, '$1/');
  const fn = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + (n.hitCount ?? 0));
  const f = short || functionName;
  byFile.set(f, (byFile.get(f) ?? 0) + (n.hitCount ?? 0));
}
const top = (m: Map<string, number>, k: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, hits]) => `${((100 * hits) / total).toFixed(1).padStart(5)} %  ${name}`)
    .join('\n');
console.log(`\nself time by function (${total} samples)\n${top(byFn, 40)}`);
console.log(`\nself time by file\n${top(byFile, 25)}`);
console.log(`\nprofile: ${join(dir, file)}`);
if (keep < 0) rmSync(dir, { recursive: true, force: true });
