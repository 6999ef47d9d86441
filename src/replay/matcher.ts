/**
 * Matches live requests to recorded exchanges. Each exchange is served once (repeats are opt-in).
 *
 * - `fingerprint` (default): the first unused exchange, in recorded order, for the same provider and
 *   endpoint whose normalised request equals the live one. Identical concurrent requests therefore
 *   get the recorded answers in recorded order.
 * - `sequence`: the next unused exchange in recorded order must be the one; anything else diverges.
 */
import stableStringify from 'fast-json-stable-stringify';
import type { ErrorEvent, ModelRequest, Step } from '../cassette/schema.ts';
import { distance } from './diff.ts';
import { type DivergenceDetails, mismatch, type RequestView } from './divergence.ts';
import { type ReplaySource, type StoredResponse, sourceFromSteps } from './index-file.ts';

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
  served: number;
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
  readonly #fingerprint: (request: ModelRequest) => string;
  /** Exchanges by `key`, in recorded order: an exact match is a lookup, not a scan. */
  readonly #byKey = new Map<string, RecordedExchange[]>();
  #cursor = 0;

  /** `recorded`: the cassette's steps, or a source that keeps responses on disk (index-file.ts). */
  constructor(
    cassette: string,
    recorded: Step[] | ReplaySource,
    compare: Comparator,
    options: MatchOptions = {},
  ) {
    this.#cassette = cassette;
    this.#options = options;
    this.#compare = (request) => this.#finish(compare(request));
    // The options run on the built view, so the shortcut only stands in for a view left as is.
    const plain = !options.ignorePaths?.length && !options.normalizeRequest;
    this.#fingerprint =
      (plain && compare.fingerprint) || ((request) => stableStringify(this.#compare(request)));
    const { requests, responses, failures } = Array.isArray(recorded)
      ? sourceFromSteps(recorded)
      : recorded;
    const viewOf = (request: ModelRequest) => this.#view(request);
    this.exchanges = requests.map((request, index) => {
      const fingerprint = this.#fingerprint(request);
      let view: RequestView | undefined;
      return {
        index,
        correlation_id: request.correlation_id,
        request,
        response: responses.get(request.correlation_id),
        failure: failures.get(request.correlation_id),
        // Only a divergence report reads it: most replays never build one.
        get view() {
          view ??= viewOf(request);
          return view;
        },
        fingerprint,
        key: this.#key(request, fingerprint),
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
    const key = this.#key(live, this.#fingerprint(live));
    if (this.#options.match === 'sequence') {
      const next = this.#nextUnused();
      return next && next.key === key ? this.#serve(next) : null;
    }
    const same = this.#byKey.get(key);
    const hit =
      same?.find((e) => e.served === 0) ?? (this.#options.allowRepeats ? same?.[0] : undefined);
    return hit ? this.#serve(hit) : null;
  }

  take(live: ModelRequest): MatchResult {
    const view = this.#view(live);
    const fingerprint = stableStringify(view.compared);
    const base = { cassette: this.#cassette, provider: live.provider, endpoint: live.endpoint };

    if (this.#options.match === 'sequence') {
      const next = this.#nextUnused();
      if (next && next.fingerprint === fingerprint) return this.#serve(next);
      if (!next) return this.#exhausted({ ...base, live: view }, live);
      return {
        ok: false,
        divergence: mismatch({ ...base, exchange: next.index }, next.view, view),
      };
    }

    const exact = this.takeExact(live);
    if (exact) return exact;
    const unused = this.exchanges.filter((e) => e.served === 0);
    const sameRoute = (e: RecordedExchange) =>
      e.request.provider === live.provider && e.request.endpoint === live.endpoint;
    const candidates = unused.filter(sameRoute);
    if (candidates.length === 0) return this.#exhausted({ ...base, live: view }, live);
    let closest = candidates[0]!;
    let best = distance(closest.view.compared, view.compared);
    for (const c of candidates.slice(1)) {
      const d = distance(c.view.compared, view.compared);
      if (d < best) [closest, best] = [c, d];
    }
    return {
      ok: false,
      divergence: mismatch({ ...base, exchange: closest.index }, closest.view, view),
    };
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

  #serve(exchange: RecordedExchange): MatchResult {
    exchange.served++;
    return { ok: true, exchange };
  }

  #exhausted(base: Omit<DivergenceDetails, 'kind' | 'exchange'>, live: ModelRequest): MatchResult {
    const recorded = this.exchanges.filter(
      (e) => e.request.provider === live.provider && e.request.endpoint === live.endpoint,
    ).length;
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

  #view(request: ModelRequest): RequestView {
    return { method: request.method, url: request.url, compared: this.#compare(request) };
  }

  #finish(request: unknown): unknown {
    let out = request;
    if (this.#options.ignorePaths?.length) out = omitPaths(out, this.#options.ignorePaths);
    return this.#options.normalizeRequest ? this.#options.normalizeRequest(out) : out;
  }
}

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
