/**
 * Reads `.rpk` files line by line (node:readline over a read stream: the raw text is never held
 * whole), validates every line with the zod schema and folds the on-disk stream lines back into
 * whole `model.response` steps. Faults are `CassetteFormatError`s reading `file:line: what`.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CassetteFormatError } from '../errors.ts';
import { createCanonicalHasher, type Normalizer } from './canonical.ts';
import { CassetteReadError, describeFsError } from './errors.ts';
import { createFolder } from './fold.ts';
import type { RunHeader, RunSeal, Step } from './schema.ts';

export type CassetteEntry =
  | { kind: 'header'; header: RunHeader; line: number }
  /** `line` is where the step starts (its `stream.open` line for a streamed response). */
  | { kind: 'step'; step: Step; line: number }
  /** A recoverable fault, already phrased `file:line: what` (a torn last line, an open stream). */
  | { kind: 'warning'; message: string; line: number }
  /** Always last: the step count and canonical hash, computed while reading. */
  | { kind: 'end'; seal: RunSeal | undefined; steps: number; sha256: string };

export interface ReadOptions {
  /** Provider normaliser for the canonical hash: pass the one the writer used (pipeline/canonical.ts). */
  normalize?: Normalizer;
}

export interface Cassette {
  header: RunHeader;
  steps: Step[];
  seal?: RunSeal;
  warnings: string[];
  /** Canonical hash of `steps`, whether or not the file is sealed. */
  sha256: string;
}

export async function readCassette(file: string, options: ReadOptions = {}): Promise<Cassette> {
  let header: RunHeader | undefined;
  const steps: Step[] = [];
  const warnings: string[] = [];
  for await (const entry of iterateCassette(file, options)) {
    if (entry.kind === 'header') header = entry.header;
    else if (entry.kind === 'step') steps.push(entry.step);
    else if (entry.kind === 'warning') warnings.push(entry.message);
    else {
      // iterateCassette throws before `end` when there is no header.
      const cassette: Cassette = { header: header!, steps, warnings, sha256: entry.sha256 };
      if (entry.seal) cassette.seal = entry.seal;
      return cassette;
    }
  }
  throw new Error('iterateCassette ended without an end entry');
}

/**
 * Yields the header, then steps in index order as soon as they are complete, then `end`.
 * Memory stays bounded by the open streams, not by the file.
 */
export async function* iterateCassette(
  file: string,
  options: ReadOptions = {},
): AsyncGenerator<CassetteEntry, void, undefined> {
  const handle = await openForReading(file);
  const input = handle.createReadStream({ encoding: 'utf8', autoClose: false });
  try {
    const { size } = await handle.stat();
    if (size === 0) {
      throw new CassetteFormatError(
        file,
        undefined,
        'the file is empty; a .rpk cassette starts with a run.header line',
      );
    }
    // Only a last line without its newline can be a torn write: the writer ends every line.
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    const endsWithNewline = last[0] === 0x0a;

    const hasher = createCanonicalHasher(options.normalize);
    const base = options.normalize ? createCanonicalHasher() : hasher;
    const folder = createFolder(file, hasher, base);
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    // One line of lookahead, so the last line is known to be last when it is parsed.
    let pending: string | undefined;
    let lineNo = 0;
    for await (const text of lines) {
      if (pending !== undefined) yield* folder.line(pending, lineNo, false);
      pending = lineNo === 0 ? text.replace(/^\uFEFF/, '') : text;
      lineNo++;
    }
    if (pending !== undefined) yield* folder.line(pending, lineNo, !endsWithNewline);
    yield* folder.finish();
  } finally {
    input.destroy();
    await handle.close().catch(() => {});
  }
}

async function openForReading(file: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new CassetteReadError(
      file,
      `${describeFsError(error)}. Check the path (relative paths start at ${process.cwd()})`,
      { cause: error },
    );
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new CassetteReadError(
      file,
      `${stats.isDirectory() ? 'it is a directory' : 'it is not a regular file'}. Pass the path of a .rpk file`,
    );
  }
  return handle;
}
