/**
 * `listen start --mode update --cassette X` (issue 20): the listener serves X's exchanges while
 * requests match them in recorded order; from the first that diverges it forwards to the upstream
 * (recorded in the run's artifact as in live mode). When it stops, X becomes its kept exchanges,
 * their lines byte for byte, plus the live tail taken from the artifact, under a new seal.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ModelResponse, Step } from '../cassette/schema.ts';
import { createCassetteWriter } from '../cassette/writer.ts';
import { normalizeStep } from '../pipeline/canonical.ts';
import { loadCassette } from '../pipeline/cassette.ts';
import { normalizeRequest } from '../providers/index.ts';
import { createRedactor } from '../redaction/index.ts';
import { loadResponse } from '../replay/index-file.ts';
import { liveRequest } from '../replay/live.ts';
import { type MatchOptions, ReplayMatcher } from '../replay/matcher.ts';
import { openReplay } from '../replay/open.ts';
import {
  keptPrefix,
  readOldRecording,
  type UpdateReport,
  updateReport,
} from '../replay/update-cassette.ts';
import type { Answer, Answerer } from './local-modes.ts';

export interface ListenerUpdate {
  answer: Answerer;
  /** Rewrites the cassette from the run's sealed artifacts; returns what changed. */
  finish(artifacts: string[]): Promise<UpdateReport>;
}

export async function createUpdate(
  cassette: string,
  options: MatchOptions = {},
): Promise<ListenerUpdate> {
  const old = existsSync(cassette) ? await readOldRecording(cassette) : null;
  // Opened as every replay is (replay/open.ts), with its lines kept aside for the rewrite.
  const match = { ...options, match: 'sequence' as const };
  const opened = old ? await openReplay(cassette, match) : null;
  const matcher = opened?.matcher ?? new ReplayMatcher(cassette, [], normalizeRequest, match);
  // Live requests are redacted and minimised as the recording was (see replayAnswerer).
  const redactor = createRedactor(opened?.redaction() ?? {});
  let live = false;
  const answer: Answerer = (raw) => {
    if (live) return { kind: 'live' };
    const request = liveRequest(raw, redactor);
    if (!request) return { kind: 'live' };
    const result = matcher.take(request.request);
    if (!result.ok) {
      live = true;
      return { kind: 'live' };
    }
    const stored = result.exchange.response;
    if (!stored) return { kind: 'drop' };
    const serve = (step: ModelResponse): Answer => ({ kind: 'serve', step, source: 'replay' });
    return 'step' in stored ? serve(stored.step) : loadResponse(stored).then(serve);
  };

  return {
    answer,
    async finish(artifacts) {
      const kept = matcher.exchanges.filter((e) => e.served > 0);
      const prefix = old
        ? keptPrefix(old, new Set(kept.map((e) => e.correlation_id)))
        : { lines: [], steps: [] };
      const tail = await liveTail(artifacts, prefix.steps.length);
      const before = matcher.exchanges.length;
      const report = updateReport(before, kept.length, tail.requests);
      const changed = report.replaced.length + report.added.length + report.dropped.length > 0;
      if (!changed) return report;
      const { type: _t, version: _v, ...header } = tail.header ?? old!.header;
      createCassetteWriter(cassette, {
        header,
        normalize: normalizeStep,
        replace: true,
        prefix: {
          lines: [...prefix.lines, ...tail.lines],
          steps: [...prefix.steps, ...tail.steps],
        },
      }).seal();
      return report;
    },
  };
}

/**
 * The exchanges the run forwarded live (those not marked `replay`), from its artifacts in order,
 * renumbered to follow the kept ones.
 */
async function liveTail(artifacts: string[], first: number) {
  const lines: string[] = [];
  const steps: Step[] = [];
  let requests = 0;
  let header: Awaited<ReturnType<typeof loadCassette>>['header'] | undefined;
  let next = first;
  for (const file of artifacts) {
    if (!existsSync(file)) continue;
    const read = await loadCassette(file);
    header ??= read.header;
    const served = new Set(
      read.steps
        .filter((s) => s.type === 'model.response' && s.response_source === 'replay')
        .map((s) => s.correlation_id),
    );
    const isLive = (id: string) => !served.has(id);
    const renumber = new Map<number, number>();
    for (const step of read.steps) {
      if (!isLive(step.correlation_id)) continue;
      if (!renumber.has(step.index)) renumber.set(step.index, next++);
      steps.push({ ...step, index: renumber.get(step.index)! });
      if (step.type === 'model.request') requests++;
    }
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      if (!text.trim()) continue;
      const line = JSON.parse(text) as { correlation_id?: unknown; index?: number };
      if (typeof line.correlation_id !== 'string' || !isLive(line.correlation_id)) continue;
      if (typeof line.index === 'number') line.index = renumber.get(line.index) ?? line.index;
      lines.push(JSON.stringify(line));
    }
  }
  // The kept steps come first in the file: the new ones follow them in index order.
  steps.sort((a, b) => a.index - b.index);
  return { lines, steps, requests, header };
}
