/**
 * Retention for listener artifacts (`replaypack prune [DIR] --keep N --max-age D`): keeps the
 * newest N `.rpk` files and none older than D. Only `.rpk` files directly in DIR are considered
 * (never a recursive walk that could reach elsewhere), and the artifact a running listener is
 * still writing is never removed.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { parseDuration } from './options.ts';
import { inspectListener } from './status.ts';

export interface PruneOptions {
  dir?: string;
  keep?: number;
  maxAge?: number | string;
  dryRun?: boolean;
  stateDir?: string;
  now?: number;
}

export interface PruneResult {
  dir: string;
  removed: string[];
  kept: string[];
  /** Files a running listener is writing: never removed. */
  in_use: string[];
  dry_run: boolean;
}

export async function pruneArtifacts(options: PruneOptions = {}): Promise<PruneResult> {
  const dir = resolve(options.dir ?? '.replaykit/recordings');
  if (options.keep === undefined && options.maxAge === undefined) {
    throw new UsageError('prune needs --keep N, --max-age D, or both.');
  }
  if (options.keep !== undefined && (!Number.isInteger(options.keep) || options.keep < 0)) {
    throw new UsageError(`Invalid --keep "${options.keep}": expected a whole number.`);
  }
  const maxAgeMs = options.maxAge === undefined ? null : parseDuration(options.maxAge, '--max-age');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.rpk'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') names = [];
    else throw error;
  }
  const { status } = await inspectListener(
    options.stateDir === undefined ? {} : { stateDir: options.stateDir },
  );
  const busy = new Set(status.status === 'running' && status.artifact ? [status.artifact] : []);
  const files = names
    .map((n) => join(dir, n))
    .map((file) => ({ file, mtime: statSync(file).mtimeMs }))
    // Newest first; the name breaks ties (it starts with a UTC stamp).
    .sort((a, b) => b.mtime - a.mtime || b.file.localeCompare(a.file));
  const now = options.now ?? Date.now();
  const result: PruneResult = {
    dir,
    removed: [],
    kept: [],
    in_use: [],
    dry_run: options.dryRun ?? false,
  };
  for (const [i, { file, mtime }] of files.entries()) {
    if (busy.has(file)) {
      result.in_use.push(file);
      continue;
    }
    const tooMany = options.keep !== undefined && i >= options.keep;
    const tooOld = maxAgeMs !== null && now - mtime > maxAgeMs;
    if (!tooMany && !tooOld) {
      result.kept.push(file);
      continue;
    }
    if (!result.dry_run) rmSync(file, { force: true });
    result.removed.push(file);
  }
  return result;
}
