/**
 * Reads `.rpk` files line by line (node:readline over a read stream: the raw text is never held
 * whole), validates every line with the zod schema and folds the on-disk stream lines back into
 * whole `model.response` steps. Faults are `CassetteFormatError`s reading `file:line: what`.
 */

import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import { CassetteFormatError } from '../errors.ts';
import { countingHasher, createCanonicalHasher, type Normalizer } from './canonical.ts';
import { CassetteReadError, describeFsError } from './errors.ts';
import { createFolder } from './fold.ts';
import type { RunHeader, RunSeal, Step } from './schema.ts';

export type CassetteEntry =
  | { kind: 'header'; header: RunHeader; line: number }
  /**
   * `line` is where the step starts (its `stream.open` line for a streamed response). `spans`
   * (with `ReadOptions.spans`): the byte ranges of the lines it was folded from, to read it back.
   */
  | { kind: 'step'; step: Step; line: number; spans?: LineSpan[] }
  /** A recoverable fault, already phrased `file:line: what` (a torn last line, an open stream). */
  | { kind: 'warning'; message: string; line: number }
  /**
   * Always last: the step count and canonical hash, computed while reading (not with
   * `verify: 'content'`, which computes no canonical hash).
   */
  | { kind: 'end'; seal: RunSeal | undefined; steps: number; sha256?: string };

export interface ReadOptions {
  /** Provider normaliser for the canonical hash: pass the one the writer used (pipeline/canonical.ts). */
  normalize?: Normalizer;
  /** Report each step's line byte ranges (`spans`), so it can be read back alone (`readStepAt`). */
  spans?: boolean;
  /**
   * `content`: check the seal by its `content_sha256` only and compute no canonical hash (about
   * half the cost of reading). Fails on a seal without one, or on any edit after sealing, even one
   * the canonical check would accept: callers retry with the default, `canonical`.
   */
  verify?: 'canonical' | 'content';
}

/** Bytes `[start, end)` of one or more consecutive lines of a file; `line` is the first one's number. */
export interface LineSpan {
  start: number;
  end: number;
  line: number;
}

export interface Cassette {
  header: RunHeader;
  steps: Step[];
  seal?: RunSeal;
  warnings: string[];
  /** Canonical hash of `steps`, whether or not the file is sealed (absent with `verify: 'content'`). */
  sha256?: string;
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
      const cassette: Cassette = { header: header!, steps, warnings };
      if (entry.sha256 !== undefined) cassette.sha256 = entry.sha256;
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
  // 1 MiB reads: at the default 64 KiB, waiting on the thread pool was a fifth of reading.
  const input = handle.createReadStream({ autoClose: false, highWaterMark: 1 << 20 });
  const span = (l: Line, line: number) =>
    options.spans ? { start: l.start, end: l.end, line } : undefined;
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

    const verify = options.verify ?? 'canonical';
    const hasher =
      verify === 'content' ? countingHasher() : createCanonicalHasher(options.normalize);
    const base = options.normalize && verify === 'canonical' ? createCanonicalHasher() : hasher;
    const folder = createFolder(file, hasher, base, { verify });
    // One line of lookahead, so the last line is known to be last when it is parsed.
    let pending: Line | undefined;
    let lineNo = 0;
    for await (const next of splitLines(input)) {
      if (pending !== undefined)
        yield* folder.line(pending.text, lineNo, false, span(pending, lineNo));
      if (lineNo === 0) next.text = next.text.replace(/^\uFEFF/, '');
      pending = next;
      lineNo++;
    }
    if (pending !== undefined) {
      yield* folder.line(pending.text, lineNo, !endsWithNewline, span(pending, lineNo));
    }
    yield* folder.finish();
  } finally {
    input.destroy();
    await handle.close().catch(() => {});
  }
}

/**
 * Reads one step back from the byte ranges `iterateCassette(file, { spans: true })` reported for
 * it, folding its lines as the full read did (a streamed response from its stream lines).
 */
export async function readStepAt(file: string, index: number, spans: LineSpan[]): Promise<Step> {
  const handle = await openForReading(file);
  try {
    // Reading one step back hashes nothing: the whole file was checked when it was indexed.
    const none = countingHasher();
    const folder = createFolder(file, none, none, { resume: index });
    let step: Step | undefined;
    const take = (entries: Iterable<CassetteEntry>) => {
      for (const entry of entries) if (entry.kind === 'step' && !step) step = entry.step;
    };
    for (const span of spans) {
      const bytes = Buffer.alloc(span.end - span.start);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, span.start);
      let line = span.line;
      for (let from = 0; from < bytesRead; line++) {
        const nl = bytes.indexOf(0x0a, from);
        const to = nl === -1 || nl > bytesRead ? bytesRead : nl;
        take(folder.line(decodeLine(bytes.subarray(from, to)), line, false));
        from = to + 1;
      }
    }
    take(folder.finish());
    if (step?.index !== index) {
      throw new CassetteFormatError(
        file,
        spans[0]?.line,
        `step ${index} is no longer where the cassette was read; the file changed while it was replayed. Run again`,
      );
    }
    return step;
  } finally {
    await handle.close().catch(() => {});
  }
}

interface Line {
  text: string;
  start: number;
  end: number;
}

/**
 * Splits a byte stream at `\n` (dropping a `\r` before it), tracking each line's byte offsets:
 * readline hands out decoded strings only, and replay reads single steps back by offset.
 */
async function* splitLines(input: AsyncIterable<Buffer>): AsyncGenerator<Line> {
  let carry: Buffer[] = [];
  let start = 0;
  for await (const chunk of input) {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      const part = chunk.subarray(from, nl);
      const bytes = carry.length > 0 ? Buffer.concat([...carry, part]) : part;
      const end = start + bytes.length + 1;
      yield { text: decodeLine(bytes), start, end };
      carry = [];
      start = end;
      from = nl + 1;
    }
    if (from < chunk.length) carry.push(chunk.subarray(from));
  }
  if (carry.length > 0) {
    const bytes = Buffer.concat(carry);
    yield { text: decodeLine(bytes), start, end: start + bytes.length };
  }
}

function decodeLine(bytes: Buffer): string {
  const cr = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d;
  return bytes.toString('utf8', 0, cr ? bytes.length - 1 : bytes.length);
}

/** The one error for a cassette that cannot be opened or looked at (every reading path uses it). */
export function cassetteOpenError(file: string, error: unknown): CassetteReadError {
  return new CassetteReadError(
    file,
    // An absolute path was resolved by the caller, maybe in another folder than this process's
    // (the listener runs in its state folder): naming our cwd then misled (issue 22).
    `${describeFsError(error)}. Check the path${path.isAbsolute(file) ? '' : ` (relative paths start at ${process.cwd()})`}`,
    { cause: error },
  );
}

async function openForReading(file: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw cassetteOpenError(file, error);
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
