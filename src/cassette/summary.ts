/**
 * What `replaypack inspect` reports about a cassette, gathered while streaming it (the steps are
 * never all held), so it works on files of any size.
 */
import type { Normalizer } from './canonical.ts';
import { iterateCassette } from './reader.ts';
import {
  type CaptureKind,
  type ResponseSource,
  STEP_TYPES,
  type Step,
  type StepType,
  type StreamState,
} from './schema.ts';

export interface CassetteSummary {
  file: string;
  valid: true;
  version: number;
  capture: CaptureKind;
  response_source: ResponseSource;
  steps: number;
  counts: Record<StepType, number>;
  providers: string[];
  models: string[];
  streams: { total: number; completed: number; interrupted: number; error: number };
  sealed: boolean;
  canonical_hash: string;
  warnings: string[];
}

export async function summarizeCassette(
  file: string,
  options: { normalize?: Normalizer; onStep?: (step: Step) => void } = {},
): Promise<CassetteSummary> {
  const counts = Object.fromEntries(STEP_TYPES.map((t) => [t, 0])) as Record<StepType, number>;
  const providers = new Set<string>();
  const models = new Set<string>();
  const streams = { total: 0, completed: 0, interrupted: 0, error: 0 };
  const warnings: string[] = [];
  let head: Pick<CassetteSummary, 'version' | 'capture' | 'response_source'> | undefined;
  for await (const entry of iterateCassette(file, options)) {
    switch (entry.kind) {
      case 'header':
        head = {
          version: entry.header.version,
          capture: entry.header.capture,
          response_source: entry.header.response_source,
        };
        break;
      case 'warning':
        warnings.push(entry.message);
        break;
      case 'step': {
        const step = entry.step;
        options.onStep?.(step);
        counts[step.type]++;
        providers.add(step.provider);
        if (step.type === 'model.request' && step.model) models.add(step.model);
        if (step.type === 'model.response') {
          if (step.assembled?.model) models.add(step.assembled.model);
          if (step.stream) {
            streams.total++;
            streams[step.stream.state]++;
          }
        }
        break;
      }
      case 'end':
        return {
          file,
          valid: true,
          ...head!,
          steps: entry.steps,
          counts,
          providers: [...providers].sort(),
          models: [...models].sort(),
          streams,
          sealed: entry.seal !== undefined,
          // Read with the default canonical check, which always computes it.
          canonical_hash: entry.sha256 ?? '',
          warnings,
        };
    }
  }
  throw new Error('iterateCassette ended without an end entry');
}

/** `model.request 2, model.response 2` and `completed 3, interrupted 1`: the non-zero counts. */
export function countPhrases(
  counts: Record<StepType, number>,
  streams: Record<StreamState, number>,
): { counts: string; states: string } {
  return {
    counts: STEP_TYPES.filter((t) => counts[t] > 0)
      .map((t) => `${t} ${counts[t]}`)
      .join(', '),
    states: (['completed', 'interrupted', 'error'] as const)
      .filter((k) => streams[k] > 0)
      .map((k) => `${k} ${streams[k]}`)
      .join(', '),
  };
}

/** The compact table `inspect` prints for people. */
export function formatSummary(s: CassetteSummary): string {
  const { counts, states } = countPhrases(s.counts, s.streams);
  const rows: [string, string][] = [
    ['format', `v${s.version}, capture ${s.capture}, response source ${s.response_source}`],
    ['steps', `${s.steps}${counts ? `  (${counts})` : ''}`],
    ['providers', s.providers.join(', ') || '-'],
    ['models', s.models.join(', ') || '-'],
    ['streams', `${s.streams.total}${states ? `  (${states})` : ''}`],
    ['sealed', s.sealed ? 'yes' : 'no'],
    ['hash', s.canonical_hash],
  ];
  const lines = [
    `${s.file}: valid${s.warnings.length ? ` with ${s.warnings.length} warning(s)` : ''}`,
  ];
  for (const [name, value] of rows) lines.push(`  ${name.padEnd(10)} ${value}`);
  for (const warning of s.warnings) lines.push(`  warning    ${warning}`);
  return `${lines.join('\n')}\n`;
}
