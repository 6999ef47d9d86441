/**
 * `expectReplayParity(rpk, run?)`, the assertion test runners wire in.
 *
 * - With `run`: runs it in replay mode against the cassette, capturing every served exchange
 *   through the shared pipeline (as the recorder would have), and asserts the produced trace is
 *   canonically equal to the cassette: same exchanges, same order, nothing extra, nothing unused.
 * - Without `run`: self-replays the artifact offline (src/replay/self-replay.ts), twice, and
 *   asserts canonical equality and a hash that is the same on both runs.
 *
 * It lives with the in-process front door (not in replay/) because the `run` form drives it; the
 * engine it uses is replay/'s.
 */
import { statSync } from 'node:fs';
import type { Step } from '../cassette/schema.ts';
import { CapturePipeline } from '../pipeline/capture.ts';
import { createRedactor } from '../redaction/index.ts';
import { alignTraces, compareTraces } from '../replay/compare.ts';
import { comparedTrace } from '../replay/compared-trace.ts';
import { ReplayDivergenceError } from '../replay/divergence.ts';
import { IN_MEMORY_BELOW } from '../replay/index-file.ts';
import type { MatchOptions } from '../replay/matcher.ts';
import { MintedBindings } from '../replay/minted.ts';
import { recordedSteps } from '../replay/open.ts';
import {
  displayPath,
  type ReplaySummary,
  replayCassette,
  secondReplayDivergence,
} from '../replay/parity.ts';
import { compactStep, createMemorySink, traceHash } from '../replay/trace.ts';
import type { RecordOptions } from './record.ts';
import { runWithin, start } from './record.ts';

export interface ParityOptions extends MatchOptions {
  /** Redaction settings the cassette was recorded with (live requests are redacted the same way). */
  redact?: RecordOptions['redact'];
}

export interface ParityResult {
  file: string;
  exchanges: number;
  /** Canonical trace hash (equal for the cassette and its replay). */
  hash: string;
}

export async function expectReplayParity(rpk: string, run?: () => unknown): Promise<ParityResult>;
export async function expectReplayParity(
  rpk: string,
  run: (() => unknown) | undefined,
  options: ParityOptions,
): Promise<ParityResult>;
export async function expectReplayParity(
  rpk: string,
  run?: () => unknown,
  options: ParityOptions = {},
): Promise<ParityResult> {
  if (!run) return selfParity(rpk, options);
  // A cassette too large to hold is compared on traces that keep long strings as digests (both
  // sides alike), so parity's memory stays bounded as replay's does (issue 15 item 4).
  const large = statSync(rpk, { throwIfNoEntry: false })?.size ?? 0;
  const held = large >= IN_MEMORY_BELOW ? compactStep : undefined;
  const sink = createMemorySink(held);
  const started = performance.now();
  const redactor = createRedactor(options.redact);
  const trace = new CapturePipeline({ sink, redactor, clock: () => performance.now() - started });
  const { redact: _r, ...match } = options;
  const servedBy = new Map<string, string>();
  const bindings = new MintedBindings();
  const recording = await start(
    {
      ...match,
      ...(options.redact ? { redact: options.redact } : {}),
      cassette: rpk,
      mode: 'replay',
    },
    { trace, servedBy, bindings, enter: false },
  );
  let failure: unknown;
  try {
    // Its own scope, side by side with any other (a test's automatic cassette included).
    await runWithin(recording, run);
  } catch (error) {
    failure = error;
  }
  const result = await recording.stop();
  const first = result.divergences[0];
  if (first) throw first.explaining(failure);
  if (failure !== undefined) throw failure;
  const name = displayPath(rpk);
  const steps: Step[] = [];
  for await (const step of recordedSteps(recording.cassette)) steps.push(held ? held(step) : step);
  const recorded = comparedTrace(steps, { ignorePaths: options.ignorePaths });
  const produced = comparedTrace(sink.steps, { ignorePaths: options.ignorePaths, bindings });
  const found = compareTraces(recorded, produced, {
    cassette: name,
    against: 'run',
    served: servedBy,
  });
  if (found) throw new ReplayDivergenceError(found);
  return {
    file: name,
    exchanges: result.exchanges,
    hash: traceHash(alignTraces(recorded, produced, servedBy).actual),
  };
}

async function selfParity(rpk: string, options: MatchOptions): Promise<ParityResult> {
  const first = await replayCassette(rpk, options);
  throwFirst(first);
  const again = await replayCassette(rpk, options);
  throwFirst(again);
  const nondeterministic = secondReplayDivergence(first, again);
  if (nondeterministic) throw new ReplayDivergenceError(nondeterministic);
  return { file: first.file, exchanges: first.exchanges, hash: first.replayed_hash };
}

function throwFirst(summary: ReplaySummary): void {
  const first = summary.divergences[0];
  if (!first) return;
  const { message: _m, ...details } = first;
  throw new ReplayDivergenceError(details);
}
