/**
 * The standalone assertion, as the runners' setup files and matchers use it: the core
 * `expectReplayParity` from `replaykit`, plus a note in the ledger for the end-of-run report.
 */
import path from 'node:path';
import {
  expectReplayParity as coreParity,
  displayPath,
  divergenceTrace,
  type ParityOptions,
  ReplayDivergenceError,
  ReplayKitError,
  writeDivergencePage,
} from '../../src/integration.ts';
import { suspendAuto } from './auto-cassette.ts';
import { note } from './ledger.ts';

/**
 * The match options the plugin or the Jest setup was given (`ignorePaths`, `match`, ...): parity
 * compares the way the per-test scopes match, or `ignorePaths` would not reach it (issue 13).
 */
// On globalThis: the setup file and the user's `replaykit/vitest` import may be two bundles.
const KEY = Symbol.for('replaykit.parity-options');
const store = globalThis as { [KEY]?: ParityOptions };
const configured = (): ParityOptions => store[KEY] ?? {};

export function configureParity(options: ParityOptions): void {
  store[KEY] = options;
}

/** Runs the parity check; resolves with the failure (never throws it). */
export async function checkParity(
  rpk: string,
  run?: () => unknown,
  options: ParityOptions = configured(),
): Promise<Error | null> {
  const cassette = path.resolve(rpk);
  await suspendAuto(cassette);
  try {
    await coreParity(rpk, run, options);
    note({ cassette, outcome: 'replayed', unusedExchanges: 0 });
    return null;
  } catch (error) {
    const missing = error instanceof ReplayKitError && error.code === 'E_CASSETTE_MISSING';
    const diverged = error instanceof ReplayDivergenceError;
    if (missing || diverged) {
      note({ cassette, outcome: missing ? 'missing' : 'diverged', unusedExchanges: 0 });
    }
    if (diverged) await attachDiffPage(error);
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Writes the conversation-level HTML diff of a failed check (issue 19) and names it at the end of
 * the message, which is what the runner prints. A page that cannot be written is not a second
 * failure: the divergence message stays the report.
 */
async function attachDiffPage(error: ReplayDivergenceError): Promise<void> {
  const trace = divergenceTrace(error);
  if (!trace) return;
  try {
    const page = await writeDivergencePage(error, trace);
    error.message = `${error.message}\n  HTML diff: ${displayPath(page)}`;
  } catch {
    // e.g. a read-only working directory: the message above still says what differs.
  }
}

/**
 * `await expectReplayParity(rpk, run?, options?)`: replays `run` against the cassette (or, without
 * `run`, self-replays it) and throws `ReplayDivergenceError` with the first divergence. `options`
 * default to the match options the plugin or the setup was configured with.
 */
export async function expectReplayParity(
  rpk: string,
  run?: () => unknown,
  options?: ParityOptions,
): Promise<void> {
  const error = await checkParity(rpk, run, options ?? configured());
  if (error) throw error;
}
