/**
 * A replayed run's trace: the steps the shared capture pipeline produces when the stub engine
 * serves it, collected in memory (storage is a port: this is the in-memory sink), and the rules
 * for comparing it with a cassette.
 *
 * What parity compares (docs/CONTRACT.md, "Replay parity"): the steps that traffic produces,
 * `model.request`, `model.response`, `tool.request`, `tool.response`, and `error.event`s from the
 * upstream. Not compared: `agent.event` steps (ingested from an agent's own output, not traffic)
 * and `error.event`s from our capture path, parsers or policies (faults of the recorder, not of
 * the conversation). Steps are grouped per exchange (by correlation id); ./compare.ts pairs the
 * exchanges of two traces, so the interleaving of concurrent exchanges, which differs from run to
 * run, never reads as a change.
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
  // MCP traffic is replayed by the MCP shim (src/mcp), not by the provider stub engine.
  if (step.provider === 'mcp') return false;
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

/** One exchange of a trace, as parity compares it. */
export interface TraceExchange {
  /** The exchange's correlation id in its own trace. */
  id: string;
  /** When it began and ended (the steps' `offset_ms`): which exchanges overlapped in time. */
  began: number;
  ended: number;
  /**
   * Canonical steps without the two fields that only say where the exchange sat among the others
   * (`index`, the correlation ordinal): concurrent exchanges interleave differently on every run,
   * so parity pairs exchanges and compares each pair, not file positions (issue 13).
   */
  steps: Record<string, unknown>[];
}

/** The trace parity compares: its exchanges in the order they began. */
export function traceExchanges(steps: Iterable<Step>): TraceExchange[] {
  const ordinals = new Map<string, number>();
  return exchangeOrder(steps).map((group) => {
    const offsets = group.map((step) => step.offset_ms);
    return {
      id: group[0]!.correlation_id,
      began: Math.min(...offsets),
      ended: Math.max(...offsets),
      steps: group.map((step) => {
        const {
          index: _i,
          correlation_id: _c,
          ...rest
        } = canonicalStep(step, ordinals, normalizeStep);
        return rest;
      }),
    };
  });
}

/** sha256 of a trace's canonical steps: equal for two runs that parity calls equal. */
export function traceHash(trace: Iterable<TraceExchange | undefined>): string {
  const hash = createHash('sha256');
  for (const exchange of trace) {
    for (const step of exchange?.steps ?? []) hash.update(`${stableStringify(step)}\n`);
    hash.update('\n');
  }
  return hash.digest('hex');
}

/**
 * Strings longer than this are held as a digest in the trace of a cassette too large to hold
 * (issue 15 item 4): both sides of a comparison are held the same way, so equal strings still
 * compare equal, and a difference still names its path (with the sizes and prefixes).
 */
export const HELD_STRING = 1024;

/** A step with every string over HELD_STRING replaced by its digest (size, prefix, sha256). */
export function compactStep<T>(step: T): T {
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (value.length <= HELD_STRING) return value;
      const digest = createHash('sha256').update(value).digest('hex').slice(0, 32);
      // A copy, not a slice: V8 keeps a slice's whole parent string alive, which would hold the
      // very text this digest exists to let go of.
      const prefix = Buffer.from(value.slice(0, 80)).toString();
      return `${prefix}… [${value.length} chars, sha256 ${digest}]`;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const key in value) out[key] = walk((value as Record<string, unknown>)[key]);
    return out;
  };
  return walk(step) as T;
}

/**
 * In-memory sink with the writer's semantics (indices in order, streams folded on close).
 * `held`: what each step is kept as (compactStep for a trace that must stay bounded).
 */
export function createMemorySink(
  held: (step: Step) => Step = (step) => step,
): StepSink & { readonly steps: Step[] } {
  const steps: Step[] = [];
  const open = new Map<
    string,
    { head: Parameters<StepSink['openStream']>[0]; events: StreamEvent[] }
  >();
  const push = (step: StepInput): Step => {
    const out = { ...step, index: steps.length } as Step;
    steps.push(held(out));
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
