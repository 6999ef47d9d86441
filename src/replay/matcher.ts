/**
 * Matches live requests to recorded exchanges. Each exchange is served once (repeats are opt-in).
 *
 * - `fingerprint` (default): the first unused exchange, in recorded order, for the same provider and
 *   endpoint whose normalised request equals the live one. Identical concurrent requests therefore
 *   get the recorded answers in recorded order.
 * - `sequence`: the next unused exchange in recorded order must be the one; anything else diverges.
 *
 * Values the client minted (replay/minted.ts) are compared as MINTED on both sides, then bound:
 * an exchange whose minted values contradict the bindings made so far is not a match.
 */
import stableStringify from 'fast-json-stable-stringify';
import type { ErrorEvent, ModelRequest, Step } from '../cassette/schema.ts';
import { isOpaque } from '../providers/opaque.ts';
import { distance } from './diff.ts';
import { type DivergenceDetails, mismatch, type RequestView } from './divergence.ts';
import {
  echoedIds,
  type ReplaySource,
  type StoredResponse,
  sourceFromSteps,
} from './index-file.ts';
import {
  anonymise,
  type BindingConflict,
  collectMinted,
  type MintedAt,
  MintedBindings,
} from './minted.ts';

export type MatchMode = 'fingerprint' | 'sequence';

export interface MatchOptions {
  match?: MatchMode;
  /** Serve an exchange again once all its equals are used. */
  allowRepeats?: boolean;
  /** JSON paths left out of the comparison, e.g. `body.metadata.trace_id`, `body.input[*].id`. */
  ignorePaths?: string[];
  /** Last word on what is compared: runs after the provider normalisers and `ignorePaths`. */
  normalizeRequest?: (request: unknown) => unknown;
}

export interface RecordedExchange {
  /** 0-based, in the order the requests were recorded. */
  index: number;
  correlation_id: string;
  request: ModelRequest;
  /** Held in memory or read back when served (`loadResponse`); undefined if none was recorded. */
  response: StoredResponse | undefined;
  /** The upstream failure recorded for this exchange (no response, a body cut off), if any. */
  failure: ErrorEvent | undefined;
  /** What a divergence report shows of the request; built when first asked for. */
  readonly view: RequestView;
  fingerprint: string;
  /** Provider, endpoint and fingerprint: what an exact match must equal. */
  key: string;
  /** Where the values the client minted sit in the compared view (none for most requests). */
  minted: readonly MintedAt[];
  served: number;
}

/** A live request as the matcher compares it (see `#probe`). */
interface Probe {
  key: string;
  minted: readonly MintedAt[];
  view: () => RequestView;
}

export type MatchResult =
  | { ok: true; exchange: RecordedExchange }
  | { ok: false; divergence: DivergenceDetails };

/**
 * The provider module's normalised view of a request (`normalizeRequest`), and optionally a
 * shortcut to exactly `stableStringify(view)` that need not build the view.
 */
export type Comparator = ((request: ModelRequest) => unknown) & {
  fingerprint?: (request: ModelRequest) => string;
};

export class ReplayMatcher {
  readonly exchanges: RecordedExchange[];
  readonly #cassette: string;
  readonly #options: MatchOptions;
  readonly #compare: (request: ModelRequest) => unknown;
  readonly #raw: Comparator;
  readonly #fingerprint: (request: ModelRequest) => string;
  /** Exchanges by `key`, in recorded order: an exact match is a lookup, not a scan. */
  readonly #byKey = new Map<string, RecordedExchange[]>();
  #cursor = 0;
  /** Recorded and live minted values, one to one, for this replay. */
  readonly bindings: MintedBindings;
  /** Values recorded responses held (with the first exchange that held one), and minted ones. */
  readonly #echoed: Map<string, number>;
  readonly #mintedRecorded = new Set<string>();

  /** `recorded`: the cassette's steps, or a source that keeps responses on disk (index-file.ts). */
  constructor(
    cassette: string,
    recorded: Step[] | ReplaySource,
    compare: Comparator,
    options: MatchOptions = {},
    bindings = new MintedBindings(),
  ) {
    this.#cassette = cassette;
    this.#options = options;
    this.bindings = bindings;
    this.#compare = (request) => this.#finish(compare(request));
    this.#raw = compare;
    // The options run on the built view, so the shortcut only stands in for a view left as is.
    const plain = !options.ignorePaths?.length && !options.normalizeRequest;
    this.#fingerprint =
      (plain && compare.fingerprint) || ((request) => stableStringify(this.#compare(request)));
    const source = Array.isArray(recorded) ? sourceFromSteps(recorded) : recorded;
    const { requests, responses, failures } = source;
    // Most cassettes hold no id-like value in any request: they never search their responses.
    const suspects = requests.map((request) => collectMinted(request.body, new Set()));
    this.#echoed = suspects.some((s) => s.size > 0) ? echoedIds(source) : new Map();
    const viewOf = (request: ModelRequest, minted: ReadonlySet<string>) =>
      this.#view(request, minted);
    this.exchanges = requests.map((request, index) => {
      // Minted: first seen in a request, before any recorded response held it.
      const minted = new Set<string>();
      for (const value of suspects[index]!) {
        const echoedAt = this.#echoed.get(value);
        if (this.#mintedRecorded.has(value) || echoedAt === undefined || echoedAt >= index) {
          minted.add(value);
          this.#mintedRecorded.add(value);
        }
      }
      const found: MintedAt[] = [];
      const fingerprint =
        minted.size === 0
          ? this.#fingerprint(request)
          : stableStringify(this.#finish(anonymise(compare(request), minted, found)));
      let view: RequestView | undefined;
      return {
        index,
        correlation_id: request.correlation_id,
        request,
        response: responses.get(request.correlation_id),
        failure: failures.get(request.correlation_id),
        // Only a divergence report reads it: most replays never build one.
        get view() {
          view ??= viewOf(request, minted);
          return view;
        },
        fingerprint,
        key: this.#key(request, fingerprint),
        minted: found,
        served: 0,
      };
    });
    for (const exchange of this.exchanges) {
      const same = this.#byKey.get(exchange.key);
      if (same) same.push(exchange);
      else this.#byKey.set(exchange.key, [exchange]);
    }
  }

  /**
   * The fast path: serves `live` only if it equals a recorded request exactly (no report is built
   * on a miss). The replayer tries the live request before redacting it: a request without
   * secrets is its own redacted form, so only misses pay for redaction (then `take`).
   */
  takeExact(live: ModelRequest): MatchResult | null {
    const probe = this.#probe(live);
    return this.#exact(probe)?.result ?? null;
  }

  take(live: ModelRequest): MatchResult {
    const probe = this.#probe(live);
    const view = probe.view();
    const base = { cassette: this.#cassette, provider: live.provider, endpoint: live.endpoint };

    if (this.#options.match === 'sequence') {
      const next = this.#nextUnused();
      if (!next) return this.#exhausted({ ...base, live: view }, live);
      if (next.key === probe.key) {
        const conflict = this.bindings.conflict(next.minted, probe.minted);
        if (!conflict) return this.#serve(next, probe);
        return { ok: false, divergence: this.#conflict(base, next, view, conflict) };
      }
      return {
        ok: false,
        divergence: mismatch({ ...base, exchange: next.index }, next.view, view, live),
      };
    }

    const exact = this.#exact(probe);
    if (exact?.result) return exact.result;
    if (exact?.conflict) {
      const { exchange, conflict } = exact.conflict;
      return { ok: false, divergence: this.#conflict(base, exchange, view, conflict) };
    }
    const unused = this.exchanges.filter((e) => e.served === 0);
    const candidates = unused.filter((e) => sameRoute(e.request, live));
    if (candidates.length === 0) return this.#exhausted({ ...base, live: view }, live);
    let closest = candidates[0]!;
    let best = distance(closest.view.compared, view.compared);
    for (const c of candidates.slice(1)) {
      const d = distance(c.view.compared, view.compared);
      if (d < best) [closest, best] = [c, d];
    }
    return {
      ok: false,
      divergence: mismatch({ ...base, exchange: closest.index }, closest.view, view, live),
    };
  }

  /** Makes a served exchange unused again (chaos replay failed its first attempt on purpose). */
  release(exchange: RecordedExchange): void {
    if (exchange.served > 0) exchange.served--;
    this.#cursor = Math.min(this.#cursor, exchange.index);
  }

  /** Exchanges never served: reported at `stop()`, an error in strict mode. */
  unused(): RecordedExchange[] {
    return this.exchanges.filter((e) => e.served === 0);
  }

  #key(request: ModelRequest, fingerprint: string): string {
    return `${request.provider} ${request.endpoint} ${fingerprint}`;
  }

  /** Sequence mode's next exchange; the cursor only moves forward (served ones stay served). */
  #nextUnused(): RecordedExchange | undefined {
    while (this.#cursor < this.exchanges.length && this.exchanges[this.#cursor]!.served > 0) {
      this.#cursor++;
    }
    return this.exchanges[this.#cursor];
  }

  #serve(exchange: RecordedExchange, probe: Probe): MatchResult {
    exchange.served++;
    this.bindings.bind(exchange.minted, probe.minted);
    return { ok: true, exchange };
  }

  /**
   * The live request as the matcher compares it. Its minted values: id-like strings no recorded
   * response held (the client cannot have read them from a served one), values already bound,
   * and recorded minted values the client got back in a served response and sends unchanged.
   */
  #probe(live: ModelRequest): Probe {
    const minted = new Set<string>();
    if (this.#mintedRecorded.size > 0) {
      for (const value of collectMinted(live.body, new Set())) {
        if (
          !this.#echoed.has(value) ||
          this.bindings.hasLive(value) ||
          this.#mintedRecorded.has(value)
        ) {
          minted.add(value);
        }
      }
    }
    if (minted.size === 0) {
      const key = this.#key(live, this.#fingerprint(live));
      return { key, minted: [], view: () => this.#view(live, minted) };
    }
    const found: MintedAt[] = [];
    const compared = this.#finish(anonymise(this.#raw(live), minted, found));
    const key = this.#key(live, stableStringify(compared));
    return { key, minted: found, view: () => ({ method: live.method, url: live.url, compared }) };
  }

  /** The exact match for a probe, or the first same-key exchange whose bindings it breaks. */
  #exact(probe: Probe): {
    result?: MatchResult;
    conflict?: { exchange: RecordedExchange; conflict: BindingConflict };
  } | null {
    if (this.#options.match === 'sequence') {
      const next = this.#nextUnused();
      if (!next || next.key !== probe.key) return null;
      return this.bindings.conflict(next.minted, probe.minted)
        ? null
        : { result: this.#serve(next, probe) };
    }
    const same = this.#byKey.get(probe.key);
    if (!same) return null;
    let first: { exchange: RecordedExchange; conflict: BindingConflict } | undefined;
    const pick = (e: RecordedExchange) => {
      const conflict = this.bindings.conflict(e.minted, probe.minted);
      if (conflict) first ??= { exchange: e, conflict };
      return !conflict;
    };
    // Among equal requests, one whose minted values are already bound to these is the one
    // (twins that differ only in their minted ids are told apart by what they resend).
    const hit =
      same.find(
        (e) => e.served === 0 && e.minted.length > 0 && this.bindings.holds(e.minted, probe.minted),
      ) ??
      same.find((e) => e.served === 0 && pick(e)) ??
      (this.#options.allowRepeats ? same.find(pick) : undefined);
    if (hit) return { result: this.#serve(hit, probe) };
    return first ? { conflict: first } : null;
  }

  /** A minted value that contradicts an earlier binding: a real change, reported at its path. */
  #conflict(
    base: Pick<DivergenceDetails, 'cassette' | 'provider' | 'endpoint'>,
    exchange: RecordedExchange,
    live: RequestView,
    conflict: BindingConflict,
  ): DivergenceDetails {
    const difference = {
      path: conflict.path,
      expected: conflict.expected,
      actual: conflict.actual,
    };
    return {
      ...mismatch({ ...base, exchange: exchange.index }, exchange.view, live),
      difference,
      diff: [
        `- ${conflict.path}: ${JSON.stringify(conflict.expected)}`,
        `+ ${conflict.path}: ${JSON.stringify(conflict.actual)}`,
      ],
    };
  }

  #exhausted(base: Omit<DivergenceDetails, 'kind' | 'exchange'>, live: ModelRequest): MatchResult {
    const recorded = this.exchanges.filter((e) => sameRoute(e.request, live)).length;
    return {
      ok: false,
      divergence: {
        ...base,
        kind: recorded === 0 ? 'unexpected' : 'exhausted',
        exchange: null,
        recorded,
      },
    };
  }

  #view(request: ModelRequest, minted: ReadonlySet<string>): RequestView {
    const compared =
      minted.size === 0
        ? this.#compare(request)
        : this.#finish(anonymise(this.#raw(request), minted, []));
    return { method: request.method, url: request.url, compared };
  }

  #finish(request: unknown): unknown {
    let out = request;
    if (this.#options.ignorePaths?.length) out = omitPaths(out, this.#options.ignorePaths);
    return this.#options.normalizeRequest ? this.#options.normalizeRequest(out) : out;
  }
}

/**
 * Exchanges a live request can be compared with. Opaque exchanges (providers/opaque.ts) share one
 * endpoint name, so their route is their method and path: an upload is never reported as a
 * changed download, and a path never recorded reads as `unexpected`.
 */
function sameRoute(recorded: ModelRequest, live: ModelRequest): boolean {
  if (recorded.provider !== live.provider || recorded.endpoint !== live.endpoint) return false;
  if (!isOpaque(live)) return true;
  return recorded.method === live.method && pathOf(recorded.url) === pathOf(live.url);
}

const pathOf = (url: string) => url.split('?')[0];

/** Removes `a.b[0].c` / `a.b[*].c` paths from a JSON value (copying only what it touches). */
export function omitPaths<T>(value: T, paths: string[]): T {
  let out: unknown = structuredClone(value);
  for (const path of paths) out = omit(out, parsePath(path));
  return out as T;
}

function parsePath(path: string): (string | number | '*')[] {
  const parts: (string | number | '*')[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+|\*)\]/g)) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] === '*') parts.push('*');
    else if (m[2] !== undefined) parts.push(Number(m[2]));
  }
  return parts;
}

function omit(value: unknown, parts: (string | number | '*')[]): unknown {
  const [head, ...rest] = parts;
  if (head === undefined || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (head === '*') return value.map((v) => (rest.length ? omit(v, rest) : undefined));
    if (typeof head === 'number' && head < value.length) {
      if (rest.length) value[head] = omit(value[head], rest);
      else value.splice(head, 1);
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  const keys = head === '*' ? Object.keys(record) : [String(head)];
  for (const key of keys) {
    if (!(key in record)) continue;
    if (rest.length) record[key] = omit(record[key], rest);
    else delete record[key];
  }
  return record;
}
