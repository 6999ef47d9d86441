/**
 * The HTML diff a replay divergence inside `record()` leaves behind (issue 19 item 2): a
 * per-test cassette under the Vitest plugin or Jest setup, or a plain record() scope in replay
 * mode. The run's side is what it was served (the recorded exchanges, in order) and then the live
 * request that matched nothing, as the matcher compared it: redacted like the cassette.
 */
import { statSync } from 'node:fs';
import type { Step } from '../cassette/schema.ts';
import { loadCassette } from '../pipeline/cassette.ts';
import type { ReplayDivergenceError } from '../replay/divergence.ts';
import { IN_MEMORY_BELOW } from '../replay/index-file.ts';
import { displayPath } from '../replay/parity.ts';
import { writeDivergencePage } from './divergence-page.ts';

/**
 * Appends `HTML diff: <path>` to `error`'s message. Never throws: a page that cannot be written
 * (a read-only folder, a cassette too large to hold) must not hide the divergence it explains.
 */
export async function attachReplayDiffPage(
  error: ReplayDivergenceError,
  cassette: string,
  servedIds: readonly string[],
): Promise<void> {
  if (error.message.includes('\n  HTML diff: ')) return;
  // A cassette too large to hold stays unheld on failure too (issue 15 item 4): no page.
  if ((statSync(cassette, { throwIfNoEntry: false })?.size ?? 0) >= IN_MEMORY_BELOW) return;
  try {
    const { header, steps } = await loadCassette(cassette);
    const produced = servedSteps(steps, servedIds);
    const page = await writeDivergencePage(error, { cassette, header, recorded: steps, produced });
    error.message = `${error.message}\n  HTML diff: ${displayPath(page)}`;
  } catch {
    // The message above still says what differs.
  }
}

/** The recorded steps of each served exchange, once per serving (ids kept apart per serving). */
function servedSteps(steps: Step[], servedIds: readonly string[]): Step[] {
  const byId = new Map<string, Step[]>();
  for (const step of steps) {
    if (step.type !== 'model.request' && step.type !== 'model.response') continue;
    const list = byId.get(step.correlation_id) ?? [];
    list.push(step);
    byId.set(step.correlation_id, list);
  }
  const out: Step[] = [];
  servedIds.forEach((id, n) => {
    for (const step of byId.get(id) ?? []) {
      out.push({ ...step, index: out.length, correlation_id: `${id}#${n}` } as Step);
    }
  });
  return out;
}
