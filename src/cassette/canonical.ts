/**
 * The canonical form of a run: what stays the same when the same traffic is recorded twice, on
 * another machine, with keys in another order or another line ending. The seal and `inspect`
 * hash it; replay compares it. Only the base volatile fields are handled here (timing and ids
 * every step carries); provider modules pass a `normalize` hook for their own (see
 * src/pipeline/canonical.ts, the one place that picks the hook, so writer and reader agree).
 */
import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import type { Step } from './schema.ts';

/**
 * Removes provider-specific volatile fields. Receives a private copy (it may mutate it) unless it
 * declares `copies`: one that never mutates its input spares the hasher a deep clone per step.
 */
export type Normalizer = ((step: Step) => Step) & { readonly copies?: boolean };

/**
 * One step's canonical object. `ordinals` carries the correlation-id numbering across a run:
 * ids are random per run, so the canonical form keeps only which steps share one.
 */
export function canonicalStep(
  step: Step,
  ordinals: Map<string, number>,
  normalize?: Normalizer,
): Record<string, unknown> {
  const source = normalize ? normalize(normalize.copies ? step : structuredClone(step)) : step;
  const { offset_ms: _offset, request_id: _requestId, correlation_id, ...rest } = source;
  let ordinal = ordinals.get(correlation_id);
  if (ordinal === undefined) {
    ordinal = ordinals.size;
    ordinals.set(correlation_id, ordinal);
  }
  const out: Record<string, unknown> = { ...rest, correlation_id: ordinal };
  if (rest.type === 'model.response' && rest.stream) {
    // Event timing is pacing, not content.
    const events = rest.stream.events.map(({ offset_ms: _o, ...event }) => event);
    out.stream = { ...rest.stream, events };
  }
  return out;
}

export function canonicalSteps(steps: Iterable<Step>, normalize?: Normalizer): unknown[] {
  const ordinals = new Map<string, number>();
  return Array.from(steps, (step) => canonicalStep(step, ordinals, normalize));
}

export interface CanonicalHasher {
  /** Steps must be added in index order (the order the reader yields them). */
  add(step: Step): void;
  readonly count: number;
  /** sha256 hex of the stable-stringified canonical steps joined by '\n'. */
  digest(): string;
}

/** Incremental, so a 200 MB cassette is hashed without holding its steps. */
export function createCanonicalHasher(normalize?: Normalizer): CanonicalHasher {
  const hash = createHash('sha256');
  const ordinals = new Map<string, number>();
  let count = 0;
  return {
    add(step) {
      if (count > 0) hash.update('\n');
      hash.update(stableStringify(canonicalStep(step, ordinals, normalize)) ?? '');
      count++;
    },
    get count() {
      return count;
    },
    digest: () => hash.copy().digest('hex'),
  };
}

export function canonicalHash(steps: Iterable<Step>, normalize?: Normalizer): string {
  const hasher = createCanonicalHasher(normalize);
  for (const step of steps) hasher.add(step);
  return hasher.digest();
}

/** Counts steps and hashes nothing: for readers and writers that skip the canonical hash. */
export function countingHasher(): CanonicalHasher {
  let count = 0;
  return {
    add() {
      count++;
    },
    get count() {
      return count;
    },
    digest: () => '',
  };
}
