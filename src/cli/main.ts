/**
 * `replaypack`: a thin shell over the library. Commands live one per file in ./commands (loaded
 * lazily so `replaypack inspect` does not pay for the listener) and never exit the process: only
 * `runCli` turns a thrown error into one of the exit statuses documented in docs/CLI.md.
 */
import { defineCommand } from 'citty';
import { VERSION } from '../version.ts';
import { runCli } from './run.ts';

const load = <T extends { default: unknown }>(p: Promise<T>) => p.then((m) => m.default as never);

export const main = defineCommand({
  meta: {
    name: 'replaypack',
    version: VERSION,
    description: 'Record, inspect and replay LLM provider traffic',
  },
  subCommands: {
    ingest: () => load(import('./commands/ingest.ts')),
    assert: () => load(import('./commands/assert.ts')),
    diff: () => load(import('./commands/diff.ts')),
    inspect: () => load(import('./commands/inspect.ts')),
    listen: () => load(import('./commands/listen.ts')),
    prune: () => load(import('./commands/prune.ts')),
    replay: () => load(import('./commands/replay.ts')),
    scan: () => load(import('./commands/scan.ts')),
  },
});

process.exitCode = await runCli(main, process.argv.slice(2));
