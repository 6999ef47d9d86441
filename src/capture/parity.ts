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
import type { RunHeader, Step } from '../cassette/schema.ts';
import { CapturePipeline } from '../pipeline/capture.ts';
import { loadCassette } from '../pipeline/cassette.ts';
import { createRedactor } from '../redaction/index.ts';
import { alignTraces, compareTraces } from '../replay/compare.ts';
import { comparedTrace } from '../replay/compared-trace.ts';
import { ReplayDivergenceError } from '../replay/divergence.ts';
import { IN_MEMORY_BELOW } from '../replay/index-file.ts';
import type { MatchOptions } from '../replay/matcher.ts';
import { MintedBindings } from '../replay/minted.ts';
import { openReplay, recordedSteps } from '../replay/open.ts';
import {
  displayPath,
  type ReplaySummary,
  replayCassette,
  secondReplayDivergence,
} from '../replay/parity.ts';
import { selfReplay } from '../replay/self-replay.ts';
import { compactStep, createMemorySink, traceHash } from '../replay/trace.ts';
import type { RecordOptions } from './record.ts';
import { runWithin, start } from './record.ts';

export interface ParityOptions extends MatchOptions {
  /** Redaction settings the cassette was recorded with (live requests are redacted the same way). */
  redact?: RecordOptions['redact'];
}

/** What a failed parity check compared: the recording, and what the run (or the replay) produced. */
export interface DivergenceTrace {
  cassette: string;
  header: RunHeader;
  recorded: Step[];
  produced: Step[];
}

const traces = new WeakMap<object, DivergenceTrace>();

/**
 * The steps behind a `ReplayDivergenceError` that `expectReplayParity` threw, for a report that
 * shows more than the first difference (the runners' integrations write an HTML diff from it:
 * issue 19). Kept beside the error, not on it, so the error prints and serialises as before.
 */
export function divergenceTrace(error: unknown): DivergenceTrace | undefined {
  return typeof error === 'object' && error !== null ? traces.get(error) : undefined;
}

async function traced<E extends ReplayDivergenceError>(
  error: E,
  cassette: string,
  produced: () => Step[] | Promise<Step[]>,
): Promise<E> {
  // A cassette too large to hold stays unheld on failure too: no trace, only the message.
  if ((statSync(cassette, { throwIfNoEntry: false })?.size ?? 0) >= IN_MEMORY_BELOW) return error;
  try {
    const { header, steps } = await loadCassette(cassette);
    traces.set(error, { cassette, header, recorded: steps, produced: await produced() });
  } catch {
    // The error is the report; a trace that cannot be gathered only costs the extra page.
  }
  return error;
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
  if (!run) {
    try {
      return await selfParity(rpk, options);
    } catch (error) {
      if (!(error instanceof ReplayDivergenceError)) throw error;
      throw await traced(error, rpk, async () => {
        const opened = await openReplay(rpk, { ...options, name: displayPath(rpk) });
        return (await selfReplay(opened)).steps;
      });
    }
  }
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
  if (first) throw await traced(first.explaining(failure), recording.cassette, () => sink.steps);
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
  if (found) {
    throw await traced(new ReplayDivergenceError(found), recording.cassette, () => sink.steps);
  }
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
