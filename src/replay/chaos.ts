/**
 * Chaos replay (issue 20): a recorded answer served the way real networks deliver it, so the
 * app's stream parser and retry logic meet re-chunked bytes, dropped connections, error statuses
 * and latency. Everything comes from `seed`: one seed, one run, byte for byte.
 *
 * @note Each exchange gets its own generator, derived from the seed and its recorded position,
 * so what one exchange gets does not depend on how many others ran before it (concurrency).
 * The generator is pure-rand's xoroshiro128+ (fast-check's own).
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { UsageError } from '../errors.ts';
import { CHAOS_STATUSES, type ChaosStatus, chaosError } from './chaos-errors.ts';
import type { Served } from './serve.ts';

export interface ChaosOptions {
  /** Every random choice derives from it; printed on failure so the run can be replayed. */
  seed: number;
  /** Re-split the body: one byte per chunk, seeded sizes, or N bytes per chunk. */
  chunking?: 'byte' | 'random' | number;
  /** Streams: the connection drops after this many events. */
  cutAfterEvents?: number;
  /** Delay before each event: fixed, or `[min, max]` drawn per event. */
  latencyMs?: number | [number, number];
  /** The first attempt of each exchange gets this error (the provider's body, `retry-after`). */
  status?: ChaosStatus;
}

/** Largest chunk `chunking: 'random'` makes: small enough to split most lines several times. */
const RANDOM_MAX = 16;

export class Chaos {
  readonly options: ChaosOptions;
  readonly #faulted = new Set<number>();

  constructor(options: ChaosOptions) {
    this.options = validChaos(options);
  }

  /** `seed=42,chunking=random,...`: what `--chaos` takes, to run the same chaos again. */
  describe(): string {
    return describeChaos(this.options);
  }

  /**
   * The error the exchange at `index` gets instead of its answer, once: the retry after it is
   * served (an exchange that always failed would only test giving up).
   */
  fault(index: number, provider: string): Served | null {
    const { status, seed } = this.options;
    if (status === undefined || this.#faulted.has(index)) return null;
    this.#faulted.add(index);
    return chaosError(provider, status, `req_chaos_${seed}_${index}`, 1);
  }

  /** The answer of the exchange at `index`, cut, delayed and re-chunked as the options say. */
  apply(answer: Served, index: number, streamed: boolean): Served {
    if (!answer.chunks) return answer;
    const o = this.options;
    const rng = xoroshiro128plus((o.seed ^ Math.imul(index + 1, 0x9e3779b1)) | 0);
    let chunks = answer.chunks;
    let waits = answer.waits;
    let failure = answer.failure;
    if (streamed && o.cutAfterEvents !== undefined && o.cutAfterEvents < chunks.length) {
      chunks = chunks.slice(0, o.cutAfterEvents);
      waits = waits?.slice(0, o.cutAfterEvents);
      failure = `terminated: replaykit chaos dropped the connection after ${o.cutAfterEvents} events (chaos ${this.describe()})`;
    }
    if (o.latencyMs !== undefined) {
      const latency = o.latencyMs;
      waits = chunks.map(
        (_, i) =>
          (waits?.[i] ?? 0) +
          (typeof latency === 'number' ? latency : uniformInt(rng, latency[0], latency[1])),
      );
    }
    if (o.chunking !== undefined) ({ chunks, waits } = rechunk(chunks, waits, o.chunking, rng));
    return {
      ...answer,
      chunks,
      ...(waits ? { waits } : {}),
      ...(failure ? { failure } : {}),
    };
  }
}

/**
 * The same bytes in other pieces: anywhere, inside a UTF-8 character, a `data:` line or a CRLF.
 * Each event's wait goes before the piece its first byte lands in.
 */
export function rechunk(
  chunks: readonly Buffer[],
  waits: readonly number[] | undefined,
  chunking: 'byte' | 'random' | number,
  rng: RandomGenerator,
): { chunks: Buffer[]; waits: number[] | undefined } {
  const bytes = Buffer.concat(chunks);
  const starts: number[] = [];
  let at = 0;
  for (const chunk of chunks) {
    starts.push(at);
    at += chunk.length;
  }
  const out: Buffer[] = [];
  const outWaits: number[] = [];
  let event = 0;
  for (let from = 0; from < bytes.length; ) {
    const size =
      chunking === 'byte' ? 1 : chunking === 'random' ? uniformInt(rng, 1, RANDOM_MAX) : chunking;
    const to = Math.min(bytes.length, from + size);
    let wait = 0;
    for (; event < starts.length && starts[event]! < to; event++) wait += waits?.[event] ?? 0;
    out.push(bytes.subarray(from, to));
    outWaits.push(wait);
    from = to;
  }
  return { chunks: out, waits: waits ? outWaits : undefined };
}

function validChaos(options: ChaosOptions): ChaosOptions {
  const bad = (what: string) =>
    new UsageError(`Invalid chaos option ${what}. See docs/INTEGRATIONS.md "Chaos replay"`);
  const { seed, chunking, cutAfterEvents, latencyMs, status } = options;
  if (!Number.isSafeInteger(seed)) throw bad(`seed: ${String(seed)} (an integer is needed)`);
  if (
    chunking !== undefined &&
    chunking !== 'byte' &&
    chunking !== 'random' &&
    !(Number.isInteger(chunking) && chunking > 0)
  ) {
    throw bad(`chunking: ${String(chunking)} (use 'byte', 'random' or a byte count)`);
  }
  if (cutAfterEvents !== undefined && !(Number.isInteger(cutAfterEvents) && cutAfterEvents >= 0)) {
    throw bad(`cutAfterEvents: ${String(cutAfterEvents)} (a count of events is needed)`);
  }
  const ms = (n: unknown) => Number.isInteger(n) && (n as number) >= 0;
  if (
    latencyMs !== undefined &&
    !(
      ms(latencyMs) ||
      (Array.isArray(latencyMs) &&
        ms(latencyMs[0]) &&
        ms(latencyMs[1]) &&
        latencyMs[0] <= latencyMs[1])
    )
  ) {
    throw bad(`latencyMs: ${JSON.stringify(latencyMs)} (milliseconds, or [min, max])`);
  }
  if (status !== undefined && !CHAOS_STATUSES.includes(status)) {
    throw bad(`status: ${String(status)} (use one of ${CHAOS_STATUSES.join(', ')})`);
  }
  return options;
}

export function describeChaos(o: ChaosOptions): string {
  const parts = [`seed=${o.seed}`];
  if (o.chunking !== undefined) parts.push(`chunking=${o.chunking}`);
  if (o.cutAfterEvents !== undefined) parts.push(`cutAfterEvents=${o.cutAfterEvents}`);
  if (o.latencyMs !== undefined) {
    const l = o.latencyMs;
    parts.push(`latencyMs=${typeof l === 'number' ? l : `${l[0]}-${l[1]}`}`);
  }
  if (o.status !== undefined) parts.push(`status=${o.status}`);
  return parts.join(',');
}

/** `--chaos seed=42,chunking=random,cutAfterEvents=3,latencyMs=10-50,status=429`. */
export function parseChaos(text: string): ChaosOptions {
  const bad = (why: string) =>
    new UsageError(
      `Invalid --chaos "${text}": ${why}. Write it as seed=N[,chunking=byte|random|N][,cutAfterEvents=N][,latencyMs=N|MIN-MAX][,status=429|500|503]`,
    );
  const out: Partial<ChaosOptions> = {};
  const int = (key: string, value: string) => {
    if (!/^\d+$/.test(value)) throw bad(`${key} must be a whole number`);
    return Number(value);
  };
  for (const part of text.split(',')) {
    const [key, value, ...more] = part.split('=').map((s) => s.trim());
    if (!key || value === undefined || value === '' || more.length > 0) {
      throw bad(`"${part}" is not key=value`);
    }
    if (key === 'seed') {
      if (!/^-?\d+$/.test(value)) throw bad('seed must be an integer');
      out.seed = Number(value);
    } else if (key === 'chunking') {
      out.chunking = value === 'byte' || value === 'random' ? value : int(key, value);
    } else if (key === 'cutAfterEvents') out.cutAfterEvents = int(key, value);
    else if (key === 'latencyMs') {
      const range = /^(\d+)-(\d+)$/.exec(value);
      out.latencyMs = range ? [Number(range[1]), Number(range[2])] : int(key, value);
    } else if (key === 'status') out.status = int(key, value) as ChaosStatus;
    else throw bad(`unknown key "${key}"`);
  }
  if (out.seed === undefined) throw bad('seed is required');
  return validChaos(out as ChaosOptions);
}
