/**
 * I/O errors of the cassette layer. Format faults use `CassetteFormatError` (src/errors.ts);
 * these cover the environment: a missing file, a full disk, a name already taken.
 */
import { ExitCode, ReplayKitError } from '../errors.ts';

/** The file could not be opened or read (exit 4: the input is not there, not that it is bad). */
export class CassetteReadError extends ReplayKitError {
  readonly file: string;
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super('E_CASSETTE_READ', `Failed to read cassette "${file}": ${reason}`, {
      ...options,
      exitCode: ExitCode.environment,
    });
    this.file = file;
  }
}

/**
 * Writing failed (disk full, file removed, permissions) or the target name is taken. Callers that
 * must keep running (the listener) catch this class and mark themselves degraded.
 */
export class CassetteWriteError extends ReplayKitError {
  readonly file: string;
  constructor(file: string, reason: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'E_CASSETTE_WRITE', `Failed to write cassette "${file}": ${reason}`, {
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
      exitCode: ExitCode.environment,
    });
    this.file = file;
  }
}

/** Explains an fs error code in words, for the messages above. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EFBIG':
      return 'the file is larger than the system allows';
    case 'EEXIST':
      return 'the file already exists';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
