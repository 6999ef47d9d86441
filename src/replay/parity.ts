/**
 * Replay parity: a cassette replayed through the stub engine must give back, canonically, the
 * cassette itself. `replayCassette` is the summary the CLI prints; `expectReplayParity` is the
 * assertion test runners call (with `run`: the code under test, replayed against the cassette).
 */
import path from 'node:path';
import { STEP_TYPES, type Step, type StepType } from '../cassette/schema.ts';
import { alignTraces, compareTraces } from './compare.ts';
import { comparedTrace } from './compared-trace.ts';
import { type DivergenceDetails, ReplayDivergenceError } from './divergence.ts';
import { bareHandshakes } from './handshake.ts';
import type { MatchOptions } from './matcher.ts';
import { openReplay } from './open.ts';
import { selfReplay } from './self-replay.ts';
import { compactStep, isCompared, traceHash } from './trace.ts';

export interface ReplaySummary {
  file: string;
  /** Exchanges in the cassette (model requests) and how many the replay served. */
  exchanges: number;
  served: number;
  /** Steps in the cassette, per type (zeros included). */
  counts: Record<StepType, number>;
  /** Steps parity compares, and those it leaves out (agent events, capture faults). */
  compared: number;
  not_compared: number;
  streams: { total: number; completed: number; interrupted: number; error: number };
  /** Canonical trace hashes: equal when the replay reproduced the cassette. */
  recorded_hash: string;
  replayed_hash: string;
  equal: boolean;
  divergences: (DivergenceDetails & { message: string })[];
}

/** A file as reports name it: relative to the working directory when inside it. */
export const displayPath = (file: string) => {
  const rel = path.relative(process.cwd(), path.resolve(file));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
};

/** Self-replays `file` offline and reports what came back. Throws only for unreadable files. */
export async function replayCassette(
  file: string,
  options: MatchOptions = {},
): Promise<ReplaySummary> {
  const name = displayPath(file);
  // Opened as every replay opens a cassette: a large one is indexed and its responses read back
  // one at a time, and both traces keep long strings as digests, so memory stays bounded.
  const opened = await openReplay(file, { ...options, name });
  const held = opened.onDisk ? compactStep : undefined;
  const replay = await selfReplay(opened, held);
  const steps: Step[] = [];
  for await (const step of opened.steps()) steps.push(held ? held(step) : step);
  const recorded = comparedTrace(steps, options);
  const replayed = comparedTrace(replay.steps, options);
  const found = [...bareHandshakes(name, steps), ...replay.divergences];
  const trace = compareTraces(recorded, replayed, {
    cassette: name,
    against: 'replayed',
    served: replay.served_by,
  });
  // A request the engine could not answer already explains every later difference.
  if (trace && found.length === 0) found.push(trace);
  // Both hashed in the recording's order, each replayed exchange beside the one that served it.
  const aligned = alignTraces(recorded, replayed, replay.served_by);
  const recordedHash = traceHash(aligned.expected);
  const replayedHash = traceHash(aligned.actual);
  return {
    file: name,
    exchanges: steps.filter((s) => s.type === 'model.request').length,
    served: replay.served,
    counts: countTypes(steps),
    compared: steps.filter(isCompared).length,
    not_compared: steps.filter((s) => !isCompared(s)).length,
    streams: streamStates(steps),
    recorded_hash: recordedHash,
    replayed_hash: replayedHash,
    equal: found.length === 0 && recordedHash === replayedHash,
    divergences: found.map((d) => ({ ...d, message: new ReplayDivergenceError(d).message })),
  };
}

/**
 * The determinism check of a self-replay run twice: `null` when both gave the same trace hash,
 * else the divergence to report (the CLI's `assert` and `expectReplayParity` both gate on it).
 */
export function secondReplayDivergence(
  first: ReplaySummary,
  again: ReplaySummary,
): DivergenceDetails | null {
  if (again.replayed_hash === first.replayed_hash) return null;
  return {
    kind: 'step',
    cassette: first.file,
    exchange: null,
    provider: 'any',
    endpoint: 'exchange',
    step: 'trace',
    difference: { path: 'hash', expected: first.replayed_hash, actual: again.replayed_hash },
    against: 'a second replay',
  };
}

function countTypes(steps: Step[]): Record<StepType, number> {
  const counts = Object.fromEntries(STEP_TYPES.map((t) => [t, 0])) as Record<StepType, number>;
  for (const step of steps) counts[step.type]++;
  return counts;
}

function streamStates(steps: Step[]): ReplaySummary['streams'] {
  const out = { total: 0, completed: 0, interrupted: 0, error: 0 };
  for (const step of steps) {
    if (step.type !== 'model.response' || !step.stream) continue;
    out.total++;
    out[step.stream.state]++;
  }
  return out;
}
