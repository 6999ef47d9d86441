/**
 * The disk side of the writer: whole lines written synchronously (a crash leaves at most one torn
 * line, the last), or batched per event-loop turn, fsync on a bounded interval, exclusive
 * creation, and the replace-by-rename dance so a reader never sees half a file and two processes
 * never interleave lines.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CassetteWriteError, describeFsError } from './errors.ts';

export interface LineSink {
  write(line: unknown): void;
  /** A line kept from an earlier file, its bytes as they were (update mode's kept prefix). */
  writeRaw(text: string): void;
  /** Batched mode: write out the queued lines now (a fault goes where a late one would). */
  flush(): void;
  /** sha256 of every line written so far (the seal's `content_sha256`). */
  contentDigest(): string;
  /** fsync, close, and (in replace mode) move the temp file over the target. Idempotent. */
  finish(): void;
  /** Close without publishing: drops the temp file in replace mode. For failed setups. */
  abandon(): void;
}

/**
 * `batch`: lines written in one event-loop turn go to disk in one write when it ends (a
 * `setImmediate`), instead of one write each. For the listener, where a write per stream event
 * was a fifth of capture's CPU; a crash then loses at most the lines of the turn it hit. A write
 * fault found then goes to `batch.onFault`, and the next `write` or `finish` throws it.
 */
export interface BatchOptions {
  /** A batched write failed after the calls that queued its lines returned. */
  onFault?: (error: CassetteWriteError) => void;
}

export function openLineSink(
  file: string,
  replace: boolean,
  fsyncIntervalMs: number,
  batch: BatchOptions | false = false,
): LineSink {
  const dir = dirname(file);
  const temp = replace
    ? join(dir, `.${basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
    : undefined;
  let fd: number;
  try {
    mkdirSync(dir, { recursive: true });
    fd = openSync(temp ?? file, 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && !temp) {
      throw new CassetteWriteError(
        file,
        'the file already exists. Pass replace: true to overwrite it, or choose another name',
        { cause: error, code: 'E_CASSETTE_EXISTS' },
      );
    }
    throw new CassetteWriteError(file, `${describeFsError(error)}. Check the directory`, {
      cause: error,
    });
  }

  let fault: CassetteWriteError | undefined;
  let finished = false;
  const content = createHash('sha256');
  let lastSync = Date.now();
  let timer: NodeJS.Timeout | undefined;

  const guard = <T>(what: string, action: () => T): T => {
    if (fault) throw fault;
    try {
      return action();
    } catch (error) {
      // Stop for good: writing on after a partial line would bury a torn line mid-file.
      fault = new CassetteWriteError(
        file,
        `${describeFsError(error)} while ${what}. Every line written before the fault is kept`,
        { cause: error },
      );
      throw fault;
    }
  };

  const sync = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    guard('syncing to disk', () => fsyncSync(fd));
    lastSync = Date.now();
  };

  const syncSoon = () => {
    const wait = lastSync + fsyncIntervalMs - Date.now();
    if (wait <= 0) sync();
    else if (!timer) {
      // Lines written in a burst reach the disk within the interval even if writing stops.
      timer = setTimeout(() => {
        timer = undefined;
        if (finished || fault) return;
        try {
          sync();
        } catch {
          // Kept in `fault`: the next write or finish reports it to the caller.
        }
      }, wait);
      timer.unref();
    }
  };
  const writeOut = (bytes: Buffer) => {
    guard('writing a line', () => {
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    });
    syncSoon();
  };

  // Batched mode: the lines of one event-loop turn, written together when it ends.
  let pending: Buffer[] = [];
  const flushPending = () => {
    if (pending.length === 0 || fault) return;
    const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
    pending = [];
    writeOut(bytes);
  };
  const flushLater = () => {
    try {
      flushPending();
    } catch {
      // Kept in `fault`, which the next write or finish throws; the owner hears of it now.
      if (batch && fault) batch.onFault?.(fault);
    }
  };

  const put = (bytes: Buffer) => {
    content.update(bytes);
    if (!batch) return writeOut(bytes);
    if (pending.length === 0) setImmediate(flushLater);
    pending.push(bytes);
  };

  return {
    write(line) {
      if (fault) throw fault;
      if (finished)
        throw new CassetteWriteError(file, 'the writer is already closed', {
          code: 'E_CASSETTE_CLOSED',
        });
      // Serialised now even when batched, so a value that does not serialise fails this call.
      put(Buffer.from(`${JSON.stringify(line)}\n`, 'utf8'));
    },
    writeRaw(text) {
      if (fault) throw fault;
      put(Buffer.from(`${text}\n`, 'utf8'));
    },
    flush: flushLater,
    contentDigest: () => content.copy().digest('hex'),
    finish() {
      if (finished) return;
      try {
        flushPending();
        if (fault) throw fault;
        sync();
      } catch (error) {
        // The lines already written stay where they are; only the descriptor goes.
        finished = true;
        pending = [];
        try {
          closeSync(fd);
        } catch {
          // Already failing: the first fault is the one to report.
        }
        throw error;
      }
      finished = true;
      guard('closing the file', () => closeSync(fd));
      if (temp) guard('moving the finished file into place', () => renameSync(temp, file));
    },
    abandon() {
      if (finished) return;
      finished = true;
      pending = [];
      if (timer) clearTimeout(timer);
      try {
        closeSync(fd);
        if (temp) rmSync(temp, { force: true });
      } catch {
        // Best effort: the caller is already handling another error.
      }
    },
  };
}
