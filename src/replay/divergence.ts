/**
 * The divergence report is the product: it names the cassette, the exchange, the provider and
 * endpoint, the closest recorded request and the first differing JSON path with both values
 * (vcrpy's and Hoverfly's closest-miss reports, not Polly's bare "method + url").
 */
import type { ModelRequest } from '../cassette/schema.ts';
import { ExitCode, ReplayKitError } from '../errors.ts';
import { blobLineDiff } from './blob-lines.ts';
import { type Difference, firstDifference, show, structuralDiff } from './diff.ts';

/** A request as a report shows it: its address, and the normalised view that was compared. */
export interface RequestView {
  method: string;
  url: string;
  /** The provider module's normalised request (`normalizeRequest`), after the user's hooks. */
  compared: unknown;
}

export interface DivergenceDetails {
  /**
   * `mismatch`, `exhausted`, `unexpected`: a live request found no recorded answer. `unused`: a
   * recorded exchange was never requested. `extra`: the run made an exchange the cassette lacks.
   * `step`: parity, a replayed step differs from the recorded one (`step` names its type).
   * `handshake`: a WebSocket handshake recorded without a turn (its frames were never captured).
   */
  kind: 'mismatch' | 'exhausted' | 'unexpected' | 'unused' | 'extra' | 'step' | 'handshake';
  cassette: string;
  /** 0-based exchange index in the cassette (for `mismatch`: the closest one). */
  exchange: number | null;
  provider: string;
  endpoint: string;
  live?: RequestView;
  closest?: RequestView;
  difference?: Difference | null;
  diff?: string[];
  /** For `exhausted`: how many exchanges the cassette holds for this endpoint. */
  recorded?: number;
  /** For `step`: the type of the step that differs (`model.response`, `tool.request`, ...). */
  step?: string;
  /** What the other side is called in the report: `live` (default), `replayed`, or a file. */
  against?: string;
}

const RERECORD = 'If the change is intended, re-record: REPLAYKIT_MODE=record <your test command>';

export function describeDivergence(d: DivergenceDetails): string {
  const where = `${d.provider} ${d.endpoint}`;
  const live = d.live ? `${d.live.method} ${d.live.url}` : '';
  switch (d.kind) {
    case 'mismatch': {
      const diff = d.difference;
      // Inside a minimised blob, the first line that changed says more than two hashes.
      const inBlob = diff?.path.includes('.$rk_blob.')
        ? d.diff?.find((l) => l.startsWith('~ '))
        : undefined;
      const lines = [
        `Replay divergence in ${d.cassette}: the live request does not match exchange #${d.exchange} (${where}, ${live}).`,
        inBlob && diff
          ? `  First difference: ${inBlob.slice(2)} (in the minimised ${diff.path.split('.$rk_blob.')[0]})`
          : diff
            ? `  First difference: ${diff.path}: expected ${show(diff.expected)} but got ${show(diff.actual)}`
            : '  First difference: (none)',
      ];
      if (d.closest) {
        lines.push(
          `  Closest recorded request: #${d.exchange} ${d.closest.method} ${d.closest.url} ${show(bodyOf(d.closest.compared), 160)}`,
        );
      }
      if (d.diff && d.diff.length > 0) {
        lines.push('  Diff (- recorded, + live):', ...d.diff.map((l) => `    ${l}`));
      }
      lines.push(`  ${RERECORD}`);
      return lines.join('\n');
    }
    case 'exhausted':
      return [
        `Replay divergence in ${d.cassette}: no unused recorded exchange left for ${where} (${live}); the cassette holds ${d.recorded} and all were served.`,
        '  Each exchange is served once: pass `allowRepeats: true` to serve them again, or re-record.',
        `  ${RERECORD}`,
      ].join('\n');
    case 'unexpected':
      return [
        `Replay divergence in ${d.cassette}: the cassette has no exchange for ${where} (${live}).`,
        `  ${RERECORD}`,
      ].join('\n');
    case 'unused':
      return [
        `Replay divergence in ${d.cassette}: exchange #${d.exchange} (${where}, ${d.closest?.method} ${d.closest?.url}) was recorded but never requested.`,
        `  The code under test now makes fewer calls. ${RERECORD}`,
      ].join('\n');
    case 'extra':
      return [
        `Replay divergence in ${d.cassette}: the ${d.against ?? 'run'} has exchange #${d.exchange} (${where}${live ? `, ${live}` : ''}) that the cassette does not have.`,
        `  ${RERECORD}`,
      ].join('\n');
    case 'handshake':
      return [
        `Replay divergence in ${d.cassette}: exchange #${d.exchange} (${where}, ${d.closest?.method} ${d.closest?.url}) is a WebSocket handshake with no turn: its frames were never captured, so the cassette cannot show what the client sent or got.`,
        `  Recorders before in-process WebSocket capture wrote these. ${RERECORD}`,
      ].join('\n');
    case 'step': {
      const other = d.against ?? 'replayed';
      const diff = d.difference;
      const lines = [
        `Replay divergence in ${d.cassette}: exchange #${d.exchange} (${where}${live ? `, ${live}` : ''}) differs in its ${d.step} step.`,
        diff
          ? `  First difference: ${diff.path}: expected ${show(diff.expected)} but ${other} has ${show(diff.actual)}`
          : '  First difference: (none)',
      ];
      if (d.diff && d.diff.length > 0) {
        lines.push(`  Diff (- recorded, + ${other}):`, ...d.diff.map((l) => `    ${l}`));
      }
      return lines.join('\n');
    }
  }
}

export class ReplayDivergenceError extends ReplayKitError {
  readonly details: DivergenceDetails;
  /** `cause`: what the run made of the divergence (the SDK's own error for the 400 it got). */
  constructor(details: DivergenceDetails, options?: { cause?: unknown }) {
    super('E_REPLAY_DIVERGENCE', describeDivergence(details), {
      exitCode: ExitCode.checkFailed,
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
    });
    this.details = details;
  }

  /**
   * The error to throw when the run failed after this divergence: the divergence explains the
   * failure, so it is what the test reports, and the run's own error stays as its cause.
   */
  explaining(failure: unknown): ReplayDivergenceError {
    if (failure === undefined || failure === this) return this;
    const explained = new ReplayDivergenceError(this.details, { cause: failure });
    // Lines added after the fact (the HTML diff's path, issue 19) stay in the report.
    explained.message = this.message;
    return explained;
  }
}

const bodyOf = (compared: unknown): unknown =>
  typeof compared === 'object' && compared !== null && 'body' in compared
    ? (compared as { body: unknown }).body
    : compared;

/**
 * Builds the report for a live request against its closest recorded one. Given the live request,
 * a difference inside a minimised blob is told by the lines that changed (blob-lines.ts) instead
 * of by its two hashes.
 */
export function mismatch(
  base: Omit<DivergenceDetails, 'kind' | 'difference' | 'diff' | 'closest' | 'live'>,
  expected: RequestView,
  actual: RequestView,
  live?: ModelRequest,
): DivergenceDetails {
  let diff = structuralDiff(expected.compared, actual.compared);
  const lines = blobLineDiff(expected.compared, actual.compared, live);
  if (lines.length > 0) {
    diff = [...lines.map((l) => `~ ${l}`), ...diff.filter((l) => !l.includes('.$rk_blob.'))];
  }
  return {
    ...base,
    kind: 'mismatch',
    closest: expected,
    live: actual,
    difference: firstDifference(expected.compared, actual.compared),
    diff,
  };
}
