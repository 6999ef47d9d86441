/**
 * The canonical trace parity compares, with the match options applied the way matching applied
 * them (issue 13: `ignorePaths` did not reach parity, and parity compared client-minted ids):
 * live minted values read as the recorded values they were bound to, and `ignorePaths` are left
 * out of both sides' `model.request` steps (the view matching compares names `body`, `model`,
 * `stream`, `method` as the step does).
 */
import type { Step } from '../cassette/schema.ts';
import { omitPaths } from './matcher.ts';
import type { MintedBindings } from './minted.ts';
import { type TraceExchange, traceExchanges } from './trace.ts';

export interface TraceOptions {
  ignorePaths?: string[] | undefined;
  /** The replay's bindings: applied to the replayed side only. */
  bindings?: MintedBindings | undefined;
}

export function comparedTrace(steps: Iterable<Step>, options: TraceOptions = {}): TraceExchange[] {
  const { bindings, ignorePaths } = options;
  // Correlation ids are the trace's own (they pair exchanges): only the content is read back.
  const bound = bindings?.size
    ? Array.from(steps, (s) => ({ ...bindings.toRecorded(s), correlation_id: s.correlation_id }))
    : steps;
  const trace = traceExchanges(bound);
  if (!ignorePaths?.length) return trace;
  return trace.map((exchange) => ({
    ...exchange,
    steps: exchange.steps.map((step) =>
      step.type === 'model.request' ? omitPaths(step, ignorePaths) : step,
    ),
  }));
}
