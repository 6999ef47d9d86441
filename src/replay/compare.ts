/**
 * Compares two traces (./trace.ts) exchange by exchange and step by step, and returns the first
 * divergence: the parity gate, `replaypack assert --golden` and `replaypack diff` share it.
 *
 * Exchanges are paired first, then each pair is compared: concurrent exchanges begin and end in
 * another order on every run, so a file position says nothing about which exchange is which
 * (issue 13). Where the caller knows which recorded exchange served each one (the replay engine
 * does), that is the pairing; otherwise equal requests pair in the order they began, and what is
 * left pairs by position. Order still counts where the recording shows one: an exchange that
 * ended before another began must not begin after it.
 */
import stableStringify from 'fast-json-stable-stringify';
import { firstDifference, structuralDiff } from './diff.ts';
import type { DivergenceDetails } from './divergence.ts';
import type { TraceExchange } from './trace.ts';

type CanonicalStep = Record<string, unknown>;

export interface CompareOptions {
  /** The recorded (expected) side, as reports name it. */
  cassette: string;
  /** The other side, as reports name it: `replayed`, `run`, or a file name. */
  against: string;
  /**
   * Which recorded exchange each exchange of `actual` is (its id → the recorded id), when the
   * caller knows: the replay engine served it that exchange.
   */
  served?: ReadonlyMap<string, string>;
}

/** `actual` rearranged to line up with `expected`; exchanges with no partner come last. */
export interface AlignedTraces {
  expected: (TraceExchange | undefined)[];
  actual: (TraceExchange | undefined)[];
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

/** What the client sent in an exchange: the steps before its response. */
function sentKey(exchange: TraceExchange): string {
  const end = exchange.steps.findIndex(
    (s) => s.type !== 'tool.response' && s.type !== 'model.request',
  );
  return stableStringify(end < 0 ? exchange.steps : exchange.steps.slice(0, end));
}

export function alignTraces(
  expected: TraceExchange[],
  actual: TraceExchange[],
  served?: ReadonlyMap<string, string>,
): AlignedTraces {
  const partner: (number | undefined)[] = expected.map(() => undefined);
  const taken = new Set<number>();
  if (served) {
    const position = new Map(expected.map((e, i) => [e.id, i]));
    actual.forEach((a, j) => {
      const i = position.get(served.get(a.id) ?? '');
      if (i === undefined || partner[i] !== undefined) return;
      partner[i] = j;
      taken.add(j);
    });
  } else {
    pairEqualSends(expected, actual, partner, taken);
  }
  // What is left pairs by position: a changed request is compared with the one in its place.
  const rest = actual.map((_, j) => j).filter((j) => !taken.has(j));
  for (let i = 0; i < partner.length && rest.length > 0; i++) {
    if (partner[i] === undefined) partner[i] = rest.shift();
  }
  return {
    expected: [...expected, ...rest.map(() => undefined)],
    actual: [
      ...partner.map((j) => (j === undefined ? undefined : actual[j])),
      ...rest.map((j) => actual[j]),
    ],
  };
}

/**
 * Pairs exchanges that sent the same steps, taking `actual` in the order its exchanges began.
 * Identical requests cannot be told apart between two files, so each takes, among the recorded
 * ones like it, one the recording lets begin now (every exchange that ended before it began is
 * paired already), the one that ended first; the order check then sees a real reordering only.
 */
function pairEqualSends(
  expected: TraceExchange[],
  actual: TraceExchange[],
  partner: (number | undefined)[],
  taken: Set<number>,
): void {
  const byKey = new Map<string, number[]>();
  expected.forEach((e, i) => {
    const key = sentKey(e);
    const list = byKey.get(key);
    if (list) list.push(i);
    else byKey.set(key, [i]);
  });
  const byEnd = expected.map((_, i) => i).sort((x, y) => expected[x]!.ended - expected[y]!.ended);
  let next = 0;
  actual.forEach((a, j) => {
    const candidates = byKey.get(sentKey(a))?.filter((i) => partner[i] === undefined);
    if (!candidates?.length) return;
    while (next < byEnd.length && partner[byEnd[next]!] !== undefined) next++;
    const open = next < byEnd.length ? expected[byEnd[next]!]!.ended : Number.POSITIVE_INFINITY;
    const ready = candidates.filter((i) => expected[i]!.began <= open);
    const pick = (ready.length > 0 ? ready : candidates).reduce((best, i) =>
      expected[i]!.ended < expected[best]!.ended ? i : best,
    );
    partner[pick] = j;
    taken.add(j);
  });
}

/**
 * The first exchange that began in `actual` before one the recording shows ended before it began.
 * Exchanges that overlapped in the recording may come in any order.
 */
function orderDivergence(aligned: AlignedTraces, actualOrder: Map<TraceExchange, number>) {
  const pairs = aligned.expected.flatMap((e, i) => {
    const a = aligned.actual[i];
    return e && a ? [{ i, e, at: actualOrder.get(a)! }] : [];
  });
  const byEnd = [...pairs].sort((x, y) => x.e.ended - y.e.ended);
  const seen = new Set<number>();
  let next = 0;
  for (const pair of [...pairs].sort((x, y) => x.at - y.at)) {
    while (next < byEnd.length && seen.has(byEnd[next]!.i)) next++;
    const earlier = byEnd[next];
    if (earlier && earlier.i !== pair.i && earlier.e.ended < pair.e.began) {
      return { exchange: pair.i, before: earlier.i };
    }
    seen.add(pair.i);
  }
  return null;
}

export function compareTraces(
  expectedTrace: TraceExchange[],
  actualTrace: TraceExchange[],
  options: CompareOptions,
): DivergenceDetails | null {
  const base = { cassette: options.cassette, against: options.against };
  const aligned = alignTraces(expectedTrace, actualTrace, options.served);
  const expected = aligned.expected.map((e) => e?.steps);
  const actual = aligned.actual.map((a) => a?.steps);
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
  const order = orderDivergence(aligned, new Map(actualTrace.map((a, j) => [a, j])));
  if (!order) return null;
  const want = expected[order.exchange]!;
  const request = requestOf(want);
  const difference = {
    path: 'order',
    expected: `after exchange #${order.before}`,
    actual: `before exchange #${order.before}`,
  };
  return {
    ...base,
    kind: 'step',
    exchange: order.exchange,
    ...where(want[0]),
    ...(request ? { live: request } : {}),
    step: 'model.request',
    difference,
    diff: structuralDiff({ order: difference.expected }, { order: difference.actual }),
  };
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
