/**
 * What the tests of one worker did with cassettes, for the end-of-run report. Each runner moves
 * the entries to its main process its own way (Vitest: task meta; Jest: a file per test file).
 */
import type { ServedUsage } from '../../src/integration.ts';

export type CassetteOutcome = 'replayed' | 'recorded' | 'missing' | 'diverged';

export interface LedgerEntry {
  /** Absolute path. */
  cassette: string;
  outcome: CassetteOutcome;
  /** Recorded exchanges that the test never requested (replay mode). */
  unusedExchanges: number;
  /** Replay mode: usage of the responses served, for the tokens and cost line. */
  served?: ServedUsage[];
}

/**
 * @note Kept on `globalThis`, not in module scope: a Jest project in native ESM mode may load the
 * setup file as CommonJS and the test's `import` as ESM, two module instances that must still
 * share one ledger.
 */
const KEY = Symbol.for('replaykit.ledger');
const store = globalThis as { [KEY]?: LedgerEntry[] };

export function note(entry: LedgerEntry): void {
  store[KEY] ??= [];
  store[KEY].push(entry);
}

/** Returns and forgets the entries noted so far. */
export function drain(): LedgerEntry[] {
  const out = store[KEY] ?? [];
  store[KEY] = [];
  return out;
}
