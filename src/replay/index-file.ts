/**
 * What the replay engine holds of a cassette: the requests (matching needs them, and they are
 * small next to the answers) and, per exchange, its response. A small cassette is held whole; a
 * large one is indexed in one streaming pass (seal checked on the way) that keeps only where each
 * response's lines are, and a response is read back from the file when it is served. Memory then
 * grows with the requests, not with the file.
 */
import { stat } from 'node:fs/promises';
import {
  cassetteOpenError,
  iterateCassette,
  type LineSpan,
  readStepAt,
} from '../cassette/reader.ts';
import type {
  ErrorEvent,
  ModelRequest,
  ModelResponse,
  RunHeader,
  Step,
} from '../cassette/schema.ts';
import { normalizeStep } from '../pipeline/canonical.ts';
import { loadForReplay } from '../pipeline/cassette.ts';
import { responseIds } from './minted.ts';

/**
 * Below this size a cassette is loaded whole (about 1.5x its size in heap): no file reads while
 * serving. Above it, responses stay on disk.
 */
export const IN_MEMORY_BELOW = 16 * 1024 * 1024;

/** A recorded response: in memory, or where to read it back from the cassette. */
export type StoredResponse =
  | { streamed: boolean; step: ModelResponse }
  | { streamed: boolean; file: string; index: number; spans: LineSpan[] };

export interface ReplaySource {
  /** In recorded order. */
  requests: ModelRequest[];
  responses: Map<string, StoredResponse>;
  /** Upstream failures recorded per exchange (correlation id). */
  failures: Map<string, ErrorEvent>;
  /**
   * Strings that could be ids, each with the first exchange (0-based) whose response held it.
   * Filled by the on-disk index (its responses are not held); built from held responses when
   * first needed otherwise (replay/minted.ts).
   */
  echoed?: Map<string, number>;
}

export function sourceFromSteps(steps: Iterable<Step>): ReplaySource {
  const source = empty();
  for (const step of steps) add(source, step, (s) => ({ streamed: !!s.stream, step: s }));
  return source;
}

export async function loadReplaySource(
  file: string,
  options: { inMemoryBelow?: number } = {},
): Promise<ReplaySource & { header: RunHeader }> {
  // A missing or unreadable file reads as the reader reports it, not as a bare ENOENT (the
  // listener's --mode replay comes here without checking first).
  const { size } = await stat(file).catch((error: unknown) => {
    throw cassetteOpenError(file, error);
  });
  if (size < (options.inMemoryBelow ?? IN_MEMORY_BELOW)) {
    const { header, steps } = await loadForReplay(file);
    return { ...sourceFromSteps(steps), header };
  }
  // As loadForReplay: the seal's content hash first; anything it cannot settle is read again
  // with the canonical check, which reports a real fault.
  try {
    return await indexCassette(file, false);
  } catch {
    return indexCassette(file, true);
  }
}

/** A response the source holds in memory (sources built from steps hold them all). */
export function heldResponse(stored: StoredResponse): ModelResponse {
  if ('step' in stored) return stored.step;
  throw new Error(`step ${stored.index} of "${stored.file}" is on disk: read it with loadResponse`);
}

/** The recorded response, read back from the file if it is not held in memory. */
export async function loadResponse(stored: StoredResponse): Promise<ModelResponse> {
  if ('step' in stored) return stored.step;
  return (await readStepAt(stored.file, stored.index, stored.spans)) as ModelResponse;
}

async function indexCassette(
  file: string,
  canonical: boolean,
): Promise<ReplaySource & { header: RunHeader }> {
  let source: (ReplaySource & { header: RunHeader }) | undefined;
  /** Exchange index by correlation id. */
  const order = new Map<string, number>();
  const options = canonical
    ? { normalize: normalizeStep, spans: true }
    : { verify: 'content' as const, spans: true };
  for await (const entry of iterateCassette(file, options)) {
    if (entry.kind === 'header') source = { ...empty(), header: entry.header };
    else if (entry.kind === 'step' && source) {
      const spans = entry.spans ?? [];
      add(source, entry.step, (s) => ({ streamed: !!s.stream, file, index: s.index, spans }));
      if (entry.step.type === 'model.request') order.set(entry.step.correlation_id, order.size);
      if (entry.step.type === 'model.response') noteEchoed(source, entry.step, order);
    }
  }
  // iterateCassette throws before its end when there is no header.
  return source!;
}

/** The response is read once here and never again until served: note its ids now. */
function noteEchoed(source: ReplaySource, step: ModelResponse, order: Map<string, number>): void {
  source.echoed ??= new Map();
  const exchange = order.get(step.correlation_id) ?? order.size;
  for (const id of responseIds(step, new Set())) {
    const first = source.echoed.get(id);
    if (first === undefined || exchange < first) source.echoed.set(id, exchange);
  }
}

/** `source.echoed`, built from the responses it holds when the index did not fill it. */
export function echoedIds(source: ReplaySource): Map<string, number> {
  if (source.echoed) return source.echoed;
  const echoed = new Map<string, number>();
  source.requests.forEach((request, exchange) => {
    const stored = source.responses.get(request.correlation_id);
    if (!stored || !('step' in stored)) return;
    for (const id of responseIds(stored.step, new Set()))
      if (!echoed.has(id)) echoed.set(id, exchange);
  });
  source.echoed = echoed;
  return echoed;
}

function empty(): ReplaySource {
  return { requests: [], responses: new Map(), failures: new Map() };
}

function add(
  source: ReplaySource,
  step: Step,
  store: (response: ModelResponse) => StoredResponse,
): void {
  if (step.type === 'model.request') source.requests.push(step);
  else if (step.type === 'model.response') source.responses.set(step.correlation_id, store(step));
  else if (step.type === 'error.event' && step.source === 'upstream') {
    source.failures.set(step.correlation_id, step);
  }
}
