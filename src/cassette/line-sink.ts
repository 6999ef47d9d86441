/**
 * The disk side of the writer: whole lines written synchronously (a crash leaves at most one torn
 * line, the last), fsync on a bounded interval, exclusive creation, and the replace-by-rename
 * dance so a reader never sees half a file and two processes never interleave lines.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CassetteWriteError, describeFsError } from './errors.ts';

export interface LineSink {
  write(line: unknown): void;
  /** sha256 of every line written so far (the seal's `content_sha256`). */
  contentDigest(): string;
  /** fsync, close, and (in replace mode) move the temp file over the target. Idempotent. */
  finish(): void;
  /** Close without publishing: drops the temp file in replace mode. For failed setups. */
  abandon(): void;
}

export function openLineSink(file: string, replace: boolean, fsyncIntervalMs: number): LineSink {
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

  return {
    write(line) {
      if (fault) throw fault;
      if (finished)
        throw new CassetteWriteError(file, 'the writer is already closed', {
          code: 'E_CASSETTE_CLOSED',
        });
      const bytes = Buffer.from(`${JSON.stringify(line)}\n`, 'utf8');
      guard('writing a line', () => {
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
      });
      content.update(bytes);
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
    },
    contentDigest: () => content.copy().digest('hex'),
    finish() {
      if (finished) return;
      if (fault) throw fault;
      sync();
      finished = true;
      guard('closing the file', () => closeSync(fd));
      if (temp) guard('moving the finished file into place', () => renameSync(temp, file));
    },
    abandon() {
      if (finished) return;
      finished = true;
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
