/**
 * @note Stand-in until `expectReplayParity` lands in src/replay/parity.ts: with `run`, a strict
 * replay (every exchange served once, nothing extra, nothing unused); without `run`, a check that
 * the cassette loads. Replaced by the core export as soon as it exists.
 */
import { record } from '../../src/capture/record.ts';
import { loadCassette } from '../../src/pipeline/cassette.ts';

export async function coreParity(rpk: string, run?: () => unknown): Promise<void> {
  if (!run) {
    await loadCassette(rpk);
    return;
  }
  await record({ cassette: rpk, mode: 'replay', strict: true }, run);
}
