/**
 * Two cassettes side by side (`replaypack diff`, `replaypack assert --golden`): the first divergence,
 * then every compared step exchange by exchange, marked same, changed or present on one side only.
 * Tool steps are listed with their names and arguments: they are what a reviewer looks for.
 */
import type { Step } from '../cassette/schema.ts';
import { loadCassette } from '../pipeline/cassette.ts';
import { normalizeRequest } from '../providers/index.ts';
import { alignTraces, compareTraces } from './compare.ts';
import { comparedTrace } from './compared-trace.ts';
import { firstDifference, show } from './diff.ts';
import { type DivergenceDetails, describeDivergence } from './divergence.ts';
import { type MatchOptions, ReplayMatcher } from './matcher.ts';
import { displayPath } from './parity.ts';
import { exchangeOrder } from './trace.ts';

export type StepStatus = 'same' | 'changed' | 'only_a' | 'only_b';

export interface StepRow {
  type: string;
  status: StepStatus;
  /** One-line description of the step in A and in B (absent on the side that lacks it). */
  a?: string;
  b?: string;
  /** For `changed`: the first differing JSON path in the canonical step. */
  path?: string;
}

export interface ExchangeRows {
  exchange: number;
  provider: string;
  endpoint: string;
  steps: StepRow[];
}

export interface CassetteDiff {
  a: string;
  b: string;
  equal: boolean;
  first: (DivergenceDetails & { message: string }) | null;
  exchanges: ExchangeRows[];
}

/**
 * `options` are the match options replay takes: `ignorePaths` are left out of both sides'
 * requests, and the values each run's client minted are bound B to A by replaying B's requests
 * against A (the same engine and rules as a replay), so two recordings of one tool loop with
 * different made-up ids are the same.
 */
export async function diffCassettes(
  fileA: string,
  fileB: string,
  options: MatchOptions = {},
): Promise<CassetteDiff> {
  const a = displayPath(fileA);
  const b = displayPath(fileB);
  const [stepsA, stepsB] = await Promise.all([
    loadCassette(fileA).then((c) => c.steps),
    loadCassette(fileB).then((c) => c.steps),
  ]);
  const matcher = new ReplayMatcher(a, stepsA, normalizeRequest, options);
  for (const step of stepsB) if (step.type === 'model.request') matcher.take(step);
  const traceA = comparedTrace(stepsA, options);
  const traceB = comparedTrace(stepsB, { ...options, bindings: matcher.bindings });
  const first = compareTraces(traceA, traceB, { cassette: a, against: b });
  // Rows pair the exchanges as the comparison does (concurrent ones by what was sent).
  const aligned = alignTraces(traceA, traceB);
  const byId = (steps: Step[]) =>
    new Map(exchangeOrder(steps).map((g) => [g[0]!.correlation_id, g]));
  const groupsA = byId(stepsA);
  const groupsB = byId(stepsB);
  const exchanges: ExchangeRows[] = [];
  for (let i = 0; i < aligned.expected.length; i++) {
    const ta = aligned.expected[i];
    const tb = aligned.actual[i];
    const ga = (ta && groupsA.get(ta.id)) || [];
    const gb = (tb && groupsB.get(tb.id)) || [];
    const head = ga[0] ?? gb[0]!;
    const steps: StepRow[] = [];
    for (let k = 0; k < Math.max(ga.length, gb.length); k++) {
      const sa = ga[k];
      const sb = gb[k];
      const ca = ta?.steps[k];
      const cb = tb?.steps[k];
      const difference = sa && sb ? firstDifference(ca, cb) : null;
      const status: StepStatus = !sb ? 'only_a' : !sa ? 'only_b' : difference ? 'changed' : 'same';
      steps.push({
        type: (sa ?? sb)!.type,
        status,
        ...(difference ? { path: difference.path } : {}),
        ...(sa ? { a: describeStep(sa) } : {}),
        ...(sb ? { b: describeStep(sb) } : {}),
      });
    }
    exchanges.push({ exchange: i, provider: head.provider, endpoint: head.endpoint, steps });
  }
  return {
    a,
    b,
    equal: first === null,
    first: first ? { ...first, message: describeDivergence(first) } : null,
    exchanges,
  };
}

/** One line a person can scan: what the step says, not all of it. */
export function describeStep(step: Step): string {
  switch (step.type) {
    case 'model.request':
      return `${step.method} ${step.url}${step.model ? ` ${step.model}` : ''}${step.stream ? ' (stream)' : ''}`;
    case 'model.response': {
      const parts = [String(step.status)];
      if (step.stream)
        parts.push(
          `${step.stream.format} ${step.stream.state}, ${step.stream.events.length} events`,
        );
      const text = step.assembled?.text;
      if (text) parts.push(show(text, 48));
      const calls = step.assembled?.tool_calls.map((c) => c.name) ?? [];
      if (calls.length) parts.push(`calls ${calls.join(', ')}`);
      return parts.join(', ');
    }
    case 'tool.request':
      return `${step.name} ${show(step.arguments, 60)}`;
    case 'tool.response':
      return `${step.name ?? step.call_id ?? step.kind} ${show(step.output, 60)}${step.is_error ? ' (error)' : ''}`;
    case 'error.event':
      return `${step.code}: ${show(step.message, 60)}`;
    case 'agent.event':
      return step.agent;
  }
}

const MARK: Record<StepStatus, string> = { same: '=', changed: '~', only_a: '-', only_b: '+' };

export function formatDiff(d: CassetteDiff): string {
  const lines = [
    d.equal ? `${d.a} and ${d.b}: the same canonical steps` : `${d.a} and ${d.b} differ`,
  ];
  if (d.first) lines.push('', d.first.message);
  lines.push('', `  (= same, ~ changed, - only in ${d.a}, + only in ${d.b})`);
  for (const ex of d.exchanges) {
    lines.push(`  exchange #${ex.exchange}  ${ex.provider} ${ex.endpoint}`);
    for (const row of ex.steps) {
      const name = row.type.padEnd(15);
      if (row.status === 'changed') {
        const pad = ''.padEnd(15);
        lines.push(
          `    ~ ${name}${row.a}`,
          `      ${pad}${row.b}`,
          `      ${pad}first change at ${row.path}`,
        );
      } else {
        lines.push(`    ${MARK[row.status]} ${name}${row.a ?? row.b}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
