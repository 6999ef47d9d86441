/**
 * Unique cassette names for runs that are not named by a test: `run-<UTC stamp>-<short id>.rpk`.
 * The name sorts by time; the random id (plus exclusive creation, retried on a clash) keeps two
 * processes that start in the same second from ever sharing a file.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CassetteWriteError } from './errors.ts';
import { type CassetteWriter, createCassetteWriter, type WriterOptions } from './writer.ts';

export function runArtifactName(date: Date, id: string = randomBytes(3).toString('hex')): string {
  const stamp = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `run-${stamp}-${id}.rpk`;
}

/** Creates a new run cassette in `dir` under a fresh unique name (`writer.file` tells which). */
export function createRunCassette(
  dir: string,
  options: Omit<WriterOptions, 'replace'>,
): CassetteWriter {
  const now = options.now ?? (() => new Date());
  let lastError: unknown;
  for (let attempt = 0; attempt < 16; attempt++) {
    try {
      return createCassetteWriter(join(dir, runArtifactName(now())), options);
    } catch (error) {
      if (!(error instanceof CassetteWriteError && error.code === 'E_CASSETTE_EXISTS')) throw error;
      lastError = error;
    }
  }
  throw new CassetteWriteError(
    dir,
    'no free run-*.rpk name after 16 attempts. Check the directory',
    {
      cause: lastError,
    },
  );
}
