/**
 * The standalone assertion, as the runners' setup files and matchers use it: the core
 * `expectReplayParity` from `replaykit`, plus a note in the ledger for the end-of-run report.
 */
import path from 'node:path';
import { expectReplayParity as coreParity } from '../../src/capture/parity.ts';
import { ReplayKitError } from '../../src/errors.ts';
import { ReplayDivergenceError } from '../../src/replay/divergence.ts';
import { suspendAuto } from './auto-cassette.ts';
import { note } from './ledger.ts';

/** Runs the parity check; resolves with the failure (never throws it). */
export async function checkParity(rpk: string, run?: () => unknown): Promise<Error | null> {
  const cassette = path.resolve(rpk);
  await suspendAuto();
  try {
    await coreParity(rpk, run);
    note({ cassette, outcome: 'replayed', unusedExchanges: 0 });
    return null;
  } catch (error) {
    const missing = error instanceof ReplayKitError && error.code === 'E_CASSETTE_MISSING';
    const diverged = error instanceof ReplayDivergenceError;
    if (missing || diverged) {
      note({ cassette, outcome: missing ? 'missing' : 'diverged', unusedExchanges: 0 });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * `await expectReplayParity(rpk, run?)`: replays `run` against the cassette (or, without `run`,
 * self-replays it) and throws `ReplayDivergenceError` with the first divergence.
 */
export async function expectReplayParity(rpk: string, run?: () => unknown): Promise<void> {
  const error = await checkParity(rpk, run);
  if (error) throw error;
}
