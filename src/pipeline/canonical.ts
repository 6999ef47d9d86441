/**
 * The one place that decides how steps are normalised before hashing. The writer's seal,
 * `readCassette`'s seal check and `replaypack inspect` must all use `normalizeStep`, or a
 * cassette sealed by one would fail the check of another.
 */
import { canonicalHash, type Normalizer } from '../cassette/canonical.ts';
import type { Step } from '../cassette/schema.ts';

/**
 * Provider normalisers plug in here (src/providers/ lists each provider's volatile fields).
 * Until they do, only the base volatile fields (offsets, request ids, correlation ids) are
 * normalised, by the cassette layer itself.
 */
export const normalizeStep: Normalizer = (step) => step;

export function hashSteps(steps: Iterable<Step>): string {
  return canonicalHash(steps, normalizeStep);
}
