/**
 * The `replaypack` command tree. Commands live one per file in ./commands, loaded lazily so
 * `replaypack inspect` does not pay for the listener. Their `args` are the one table of flags:
 * the CLI refuses any other flag (flags.ts), and docs/CLI.md's table is checked against it.
 */
import { defineCommand } from 'citty';
import { VERSION } from '../version.ts';

const load = <T extends { default: unknown }>(p: Promise<T>) => p.then((m) => m.default as never);

export const replaypack = defineCommand({
  meta: {
    name: 'replaypack',
    version: VERSION,
    description: 'Record, inspect and replay LLM provider traffic',
  },
  subCommands: {
    ingest: () => load(import('./commands/ingest.ts')),
    assert: () => load(import('./commands/assert.ts')),
    cassettes: () => load(import('./commands/cassettes.ts')),
    diff: () => load(import('./commands/diff.ts')),
    inspect: () => load(import('./commands/inspect.ts')),
    listen: () => load(import('./commands/listen.ts')),
    mcp: () => load(import('./commands/mcp.ts')),
    prune: () => load(import('./commands/prune.ts')),
    replay: () => load(import('./commands/replay.ts')),
    scan: () => load(import('./commands/scan.ts')),
    view: () => load(import('./commands/view.ts')),
  },
});
