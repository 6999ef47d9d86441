/**
 * The one place that decides how steps are normalised before hashing. The writer's seal,
 * `readCassette`'s seal check and `replaypack inspect` must all use `normalizeStep`, or a
 * cassette sealed by one would fail the check of another.
 */
import { canonicalHash, type Normalizer } from '../cassette/canonical.ts';
import type { Step } from '../cassette/schema.ts';
import { normalizeStep as providerNormalizeStep } from '../providers/index.ts';

/**
 * The provider modules list each provider's and agent's volatile fields (src/providers/volatile.ts);
 * the cassette layer itself handles the base ones (offsets, request ids, correlation ids).
 */
export const normalizeStep: Normalizer = Object.assign(
  (step: Step) => providerNormalizeStep(step),
  // It builds a normalised copy (spreads and replacePaths' deep copy) and never mutates its input.
  { copies: true },
);

export function hashSteps(steps: Iterable<Step>): string {
  return canonicalHash(steps, normalizeStep);
}
