/**
 * Compares two canonical traces (./trace.ts) exchange by exchange and step by step, and returns the
 * first divergence: the parity gate, `replaypack assert --golden` and `replaypack diff` share it.
 */
import { firstDifference, structuralDiff } from './diff.ts';
import type { DivergenceDetails } from './divergence.ts';

type CanonicalStep = Record<string, unknown>;

export interface CompareOptions {
  /** The recorded (expected) side, as reports name it. */
  cassette: string;
  /** The other side, as reports name it: `replayed`, `run`, or a file name. */
  against: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : 'unknown');

function where(step: CanonicalStep | undefined) {
  return { provider: str(step?.provider), endpoint: str(step?.endpoint) };
}

function requestOf(group: CanonicalStep[]) {
  const request = group.find((s) => s.type === 'model.request');
  if (!request) return undefined;
  return { method: str(request.method), url: str(request.url), compared: null };
}

export function compareTraces(
  expected: CanonicalStep[][],
  actual: CanonicalStep[][],
  options: CompareOptions,
): DivergenceDetails | null {
  const base = { cassette: options.cassette, against: options.against };
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const want = expected[i];
    const got = actual[i];
    if (!got) {
      const request = requestOf(want ?? []);
      return {
        ...base,
        kind: 'unused',
        exchange: i,
        ...where(want?.[0]),
        ...(request ? { closest: request } : {}),
      };
    }
    if (!want) {
      const request = requestOf(got);
      return {
        ...base,
        kind: 'extra',
        exchange: i,
        ...where(got[0]),
        ...(request ? { live: request } : {}),
      };
    }
    const found = compareGroup(want, got);
    if (found) {
      const request = requestOf(want);
      return {
        ...base,
        kind: 'step',
        exchange: i,
        ...where(want[0]),
        ...(request ? { live: request } : {}),
        step: found.step,
        difference: found.difference,
        diff: found.diff,
      };
    }
  }
  return null;
}

/** Steps in order; a step present on one side only differs at its `type`. */
function compareGroup(want: CanonicalStep[], got: CanonicalStep[]) {
  for (let k = 0; k < Math.max(want.length, got.length); k++) {
    const e = want[k];
    const a = got[k];
    if (!e || !a || e.type !== a.type) {
      const difference = { path: 'type', expected: e?.type, actual: a?.type };
      return {
        step: str(e?.type ?? a?.type),
        difference,
        diff: structuralDiff({ type: e?.type }, { type: a?.type }),
      };
    }
    const difference = firstDifference(e, a);
    if (difference) return { step: str(e.type), difference, diff: structuralDiff(e, a) };
  }
  return null;
}
