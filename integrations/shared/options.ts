/** Options shared by the Vitest plugin and the Jest setup. Plain data: they cross to workers. */
import type { MatchMode, Mode } from '../../src/integration.ts';

export interface ReplayKitOptions {
  /** Default: `REPLAYKIT_MODE`, else `replay` on CI and `auto` elsewhere. */
  mode?: Mode;
  /** One cassette per test: `<cassetteDir>/<test file>/<suite › test>.rpk`. Default false. */
  autoCassette?: boolean;
  /** Folder of the per-test cassettes, relative to the project root. Default `cassettes`. */
  cassetteDir?: string;
  /** Print the cassettes used / missing / unused at the end of the run. Default true. */
  report?: boolean;
  /**
   * A price table JSON (relative to the project root) merged over the built-in one, for the
   * report's tokens-and-cost line (docs/CLI.md, price tables).
   */
  prices?: string;
  /** Matching for `autoCassette` scopes (see `record()`). */
  match?: MatchMode;
  allowRepeats?: boolean;
  ignorePaths?: string[];
  /** Exchanges left unused by a test fail it. Default false. */
  strict?: boolean;
  /** Non-provider requests during replay: let them through (default) or fail them. */
  unhandled?: 'passthrough' | 'error';
  /** Redaction (on by default; see docs/REDACTION.md). */
  redact?: {
    pii?: boolean;
    capture?: 'minimal' | 'full';
    extraHeaders?: string[];
    redactOrgIds?: boolean;
  };
}

export const DEFAULT_DIR = 'cassettes';

/** What parity needs of them: it compares the way the scopes match (and redacts as they do). */
export function parityOptions(o: ReplayKitOptions) {
  return {
    ...(o.match ? { match: o.match } : {}),
    ...(o.allowRepeats ? { allowRepeats: o.allowRepeats } : {}),
    ...(o.ignorePaths ? { ignorePaths: o.ignorePaths } : {}),
    ...(o.redact ? { redact: o.redact } : {}),
  };
}

/** The `record()` options of an `autoCassette` scope. */
export function recordOptions(o: ReplayKitOptions) {
  return {
    ...(o.mode ? { mode: o.mode } : {}),
    ...(o.match ? { match: o.match } : {}),
    ...(o.allowRepeats ? { allowRepeats: o.allowRepeats } : {}),
    ...(o.ignorePaths ? { ignorePaths: o.ignorePaths } : {}),
    ...(o.strict ? { strict: o.strict } : {}),
    ...(o.unhandled ? { unhandled: o.unhandled } : {}),
    ...(o.redact ? { redact: o.redact } : {}),
  };
}
