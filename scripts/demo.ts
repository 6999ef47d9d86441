/**
 * `npm run demo`: the golden path, offline, on this machine. A bundled loopback fake of the OpenAI
 * API (the test suite's fake upstream) stands in for api.openai.com; everything else is the real
 * thing: the `replaypack` CLI (run from source), a detached listener, and a sample app using the
 * real `openai` SDK in its own process. Steps: start the listener, run the app, stop, inspect,
 * replay offline with the upstream gone, assert. Exit status 0 only if every step passed.
 * Artifacts are kept in a temp directory whose path is printed.
 */

import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { writeViewer } from '../src/viewer/index.ts';
import { replaypack } from '../test/support/cli.ts';
import { startFakeUpstream } from '../test/support/fake-upstream/index.ts';
import { block, failure, short, stepLine, title } from './demo/report.ts';

const APP = fileURLToPath(new URL('./demo/app.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'replaykit-demo-'));
// Its own state directory: the demo never touches a listener you may be running yourself.
const env = { REPLAYKIT_HOME: join(work, 'home'), OPENAI_API_KEY: 'sk-test-FAKE-demo-key' };

class StepFailed extends Error {}

async function step(name: string, run: () => Promise<string>): Promise<void> {
  const started = performance.now();
  try {
    const detail = await run();
    stepLine({ name, ok: true, detail, ms: performance.now() - started });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    stepLine({ name, ok: false, detail: 'failed:', ms: performance.now() - started });
    failure(message);
    throw new StepFailed(message);
  }
}

/** Runs `replaypack ARGS --json` and returns the parsed object, or throws with its stderr. */
async function cli<T>(args: string[]): Promise<T> {
  const r = await replaypack([...args, '--json'], { env });
  if (r.exitCode !== 0) {
    throw new Error(`replaypack ${args.join(' ')} exited ${r.exitCode}\n${r.stderr || r.stdout}`);
  }
  return JSON.parse(r.stdout) as T;
}

async function runApp(): Promise<{ tools: string[]; answer: string; tokens: number }> {
  const routed = await cli<{ env: Record<string, string> }>(['listen', 'env']);
  const r = await execa(process.execPath, [APP], { env: { ...env, ...routed.env }, reject: false });
  if (r.exitCode !== 0) throw new Error(`the sample app failed\n${r.stderr}`);
  return JSON.parse(String(r.stdout));
}

const up = await startFakeUpstream();
up.enqueue(
  { kind: 'tool', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
  { kind: 'text', text: 'It is 11 °C in Paris with light rain. Take an umbrella.' },
);
title(
  'ReplayKit demo: record an app through the listener, then replay it offline',
  `  bundled OpenAI stand-in on ${up.url} · work directory ${work}`,
);

let artifact = '';
const pages: [string, string][] = [];
let live: Awaited<ReturnType<typeof runApp>> | undefined;
let hash = '';
let exitCode = 0;
try {
  await step('listen', async () => {
    const r = await cli<{ url: string; pid: number }>([
      'listen',
      'start',
      '--port',
      '0',
      '--out',
      join(work, 'recordings'),
      '--upstream',
      `openai=${up.url}`,
    ]);
    return `listener on ${r.url} (pid ${r.pid}), recording`;
  });
  await step('app', async () => {
    live = await runApp();
    return `openai SDK: ${live.tools.join(', ')}, then a streamed answer`;
  });
  await step('stop', async () => {
    const r = await cli<{ artifacts: string[]; counts: { requests: number } }>(['listen', 'stop']);
    artifact = r.artifacts[0] ?? '';
    if (!artifact) throw new Error('the listener wrote no artifact');
    return `${r.counts.requests} requests forwarded, sealed ${basename(artifact)}`;
  });
  await step('inspect', async () => {
    const s = await cli<InspectJson>(['inspect', artifact]);
    hash = s.canonical_hash;
    const c = s.counts;
    return `valid: ${s.steps} steps (${c['model.request']} requests, ${c['tool.request']} tool call), ${s.streams.completed}/${s.streams.total} streams complete`;
  });
  await up.close();
  await step('replay', async () => {
    const out = join(work, 'replayed');
    await cli([
      'listen',
      'start',
      '--port',
      '0',
      '--mode',
      'replay',
      '--cassette',
      artifact,
      '--out',
      out,
    ]);
    try {
      const again = await runApp();
      if (JSON.stringify(again) !== JSON.stringify(live)) {
        throw new Error(
          `the offline run differs\n  live:    ${JSON.stringify(live)}\n  offline: ${JSON.stringify(again)}`,
        );
      }
    } finally {
      await cli(['listen', 'stop']);
    }
    const r = await cli<ReplayJson>(['replay', artifact]);
    return `upstream gone; the app re-ran from the cassette, same output (${r.served}/${r.exchanges})`;
  });
  await step('assert', async () => {
    const r = await cli<{ ok: boolean; deterministic: boolean }>(['assert', artifact]);
    if (!r.ok || !r.deterministic) throw new Error(`assert reported ${JSON.stringify(r)}`);
    return `parity holds, two replays agree, cassette hash ${short(hash)}`;
  });
  await step('view', async () => {
    // A viewer page for this run, the golden cassettes and the demo cassette: file:// pages.
    const root = fileURLToPath(new URL('..', import.meta.url));
    const sources = [
      artifact,
      ...['cassettes/golden', 'cassettes/demo'].flatMap((dir) =>
        readdirSync(join(root, dir))
          .filter((f) => f.endsWith('.rpk'))
          .map((f) => join(root, dir, f)),
      ),
    ];
    // In process (what `replaypack view` calls): four CLI start-ups would double the step's time.
    for (const rpk of sources) {
      const out = join(work, 'pages', `${basename(rpk, '.rpk')}.html`);
      const r = await writeViewer(rpk, { out });
      pages.push([basename(rpk), `${pathToFileURL(out).href}  (${r.exchanges} exchanges)`]);
    }
    return `${pages.length} viewer pages: this run, the golden cassettes and the demo cassette`;
  });
  block('What the app saw', [
    ['tool call', live?.tools.join(', ') ?? ''],
    ['answer', JSON.stringify(live?.answer.trim())],
    ['tokens', String(live?.tokens)],
    ['offline', 'the same, served by listen --mode replay with the upstream gone'],
  ]);
  block('Kept for you', [
    ['cassette', artifact],
    ['try', `npx replaypack inspect ${artifact}`],
    ...pages.map(([name, url]): [string, string] => [`view ${name}`, url]),
    ['docs', 'docs/PASSIVE_LISTENER.md runs the same flow on your own app'],
  ]);
  process.stdout.write('\n');
} catch (error) {
  if (!(error instanceof StepFailed)) throw error;
  exitCode = 1;
  process.stdout.write(`\n  Work directory kept for a look: ${work}\n\n`);
} finally {
  // Never leave a listener behind, whatever failed.
  await replaypack(['listen', 'stop'], { env });
  await up.close();
}
process.exitCode = exitCode;

interface ReplayJson {
  exchanges: number;
  served: number;
  compared: number;
}

interface InspectJson {
  steps: number;
  counts: Record<string, number>;
  streams: { total: number; completed: number };
  canonical_hash: string;
}
