/**
 * Every message a user sees goes through `formatMessage`, which adds the one `[replaykit]` prefix
 * (msw once printed its prefix twice because a caller added it too: nobody else adds it).
 * Error classes carry a stable `code`; the CLI maps them to the exit statuses in docs/CLI.md.
 */
import { maskQueryCredentials } from './redaction/query.ts';

export const PREFIX = '[replaykit]';

/** Also masks query-string credentials (`?key=AIza...`): messages often name a request URL. */
export function formatMessage(message: string): string {
  const safe = maskQueryCredentials(message);
  return safe.startsWith(PREFIX) ? safe : `${PREFIX} ${safe}`;
}

/** Documented exit statuses, the same for every `replaypack` command. */
export const ExitCode = {
  ok: 0,
  /** The check ran and failed: a divergence, a secret found, an assertion not met. */
  checkFailed: 1,
  /** The command line was wrong: unknown flag, missing argument. */
  usage: 2,
  /** An input file is not a valid cassette or input stream. */
  invalidInput: 3,
  /** The environment got in the way: busy port, listener not running, I/O failure. */
  environment: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class ReplayKitError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  constructor(code: string, message: string, options?: { cause?: unknown; exitCode?: ExitCode }) {
    super(
      formatMessage(message),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options?.exitCode ?? ExitCode.environment;
  }
}

/** A cassette (or other input file) that cannot be read: the message is `file:line: what`. */
export class CassetteFormatError extends ReplayKitError {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, what: string, options?: { cause?: unknown }) {
    super('E_CASSETTE_FORMAT', `${line === undefined ? file : `${file}:${line}`}: ${what}`, {
      ...options,
      exitCode: ExitCode.invalidInput,
    });
    this.file = file;
    this.line = line;
  }
}

export class UsageError extends ReplayKitError {
  constructor(message: string) {
    super('E_USAGE', message, { exitCode: ExitCode.usage });
  }
}
