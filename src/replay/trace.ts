/**
 * A replayed run's trace: the steps the shared capture pipeline produces when the stub engine
 * serves it, collected in memory (storage is a port: this is the in-memory sink), and the rules
 * for comparing it with a cassette.
 *
 * What parity compares (docs/CONTRACT.md, "Replay parity"): the steps that traffic produces,
 * `model.request`, `model.response`, `tool.request`, `tool.response`, and `error.event`s from the
 * upstream. Not compared: `agent.event` steps (ingested from an agent's own output, not traffic)
 * and `error.event`s from our capture path, parsers or policies (faults of the recorder, not of
 * the conversation). Steps are grouped per exchange (by correlation id) in request order, so the
 * interleaving of concurrent exchanges, which differs from run to run, never reads as a change.
 */
import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import { canonicalStep } from '../cassette/canonical.ts';
import type { ModelResponse, Step, StepInput, StreamEvent } from '../cassette/schema.ts';
import { normalizeStep } from '../pipeline/canonical.ts';
import type { StepSink } from '../pipeline/capture.ts';
import type { Redactor } from '../redaction/index.ts';

export function isCompared(step: Step): boolean {
  if (step.type === 'agent.event') return false;
  // Ingested from an agent's own event stream (src/agents): what the agent did, not traffic.
  if (step.endpoint.startsWith('agent:')) return false;
  if (step.type === 'error.event') return step.source === 'upstream';
  return true;
}

/** Compared steps regrouped exchange by exchange, in the order the exchanges began. */
export function exchangeOrder(steps: Iterable<Step>): Step[][] {
  const groups = new Map<string, Step[]>();
  for (const step of steps) {
    if (!isCompared(step)) continue;
    let group = groups.get(step.correlation_id);
    if (!group) {
      group = [];
      groups.set(step.correlation_id, group);
    }
    group.push(step);
  }
  return [...groups.values()];
}

/** The canonical objects of a trace, exchange by exchange (what parity compares and hashes). */
export function canonicalTrace(steps: Iterable<Step>): Record<string, unknown>[][] {
  const ordinals = new Map<string, number>();
  return exchangeOrder(steps).map((group) =>
    group.map((step) => canonicalStep(step, ordinals, normalizeStep)),
  );
}

/** sha256 of the canonical trace: equal for two runs that parity calls equal. */
export function traceHash(trace: Record<string, unknown>[][]): string {
  const hash = createHash('sha256');
  for (const group of trace) for (const step of group) hash.update(`${stableStringify(step)}\n`);
  return hash.digest('hex');
}

/** In-memory sink with the writer's semantics (indices in order, streams folded on close). */
export function createMemorySink(): StepSink & { readonly steps: Step[] } {
  const steps: Step[] = [];
  const open = new Map<
    string,
    { head: Parameters<StepSink['openStream']>[0]; events: StreamEvent[] }
  >();
  const push = (step: StepInput): Step => {
    const out = { ...step, index: steps.length } as Step;
    steps.push(out);
    return out;
  };
  return {
    steps,
    append: push,
    openStream(head) {
      open.set(head.correlation_id, { head, events: [] });
      return { ...head, type: 'stream.open', index: steps.length };
    },
    streamEvent(id, event) {
      open.get(id)?.events.push(event);
    },
    closeStream(id, end) {
      const target = open.get(id);
      if (!target) throw new Error(`no open stream "${id}"`);
      open.delete(id);
      const { format, ...head } = target.head;
      const { state, ...rest } = end;
      return push({
        ...head,
        ...rest,
        type: 'model.response',
        stream: { format, state, events: target.events },
      } as StepInput) as ModelResponse;
    },
  };
}

/**
 * Re-capturing recorded steps must not change them: they were redacted and minimised when they
 * were recorded, and a second pass with today's rules would read as a divergence.
 */
export const keepAsRecorded: Redactor = {
  policy: { policy: 'default' },
  headers: (h) => h,
  url: (u) => u,
  text: (s) => s,
  value: (v) => v,
  step: (s) => s,
  stream: () => ({ push: (ev) => [ev], flush: () => [] }),
};
