/**
 * `mode: 'update'` (issue 20): re-record a cassette from its first divergence. Requests that match
 * the recording, in recorded order, are answered from it; the first one that diverges (or finds
 * the recording used up) goes live, and so does every request after it, because later turns of
 * a conversation depend on earlier ones. At `stop()` the cassette is the kept prefix, its lines
 * byte for byte, plus the new tail, under a new seal.
 *
 * @note Matching is `sequence` whatever the options say: "the first divergence" needs an order,
 * and a fingerprint match further down the recording would keep an exchange out of its place.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type CassetteWriter, createCassetteWriter } from '../cassette/writer.ts';
import { formatMessage } from '../errors.ts';
import { normalizeStep } from '../pipeline/canonical.ts';
import { CapturePipeline } from '../pipeline/capture.ts';
import { normalizeRequest, ProviderHosts } from '../providers/index.ts';
import type { Redactor } from '../redaction/index.ts';
import { ReplayMatcher } from '../replay/matcher.ts';
import { openReplay } from '../replay/open.ts';
import {
  describeUpdate,
  keptPrefix,
  type OldRecording,
  readOldRecording,
  updateReport,
} from '../replay/update-cassette.ts';
import { VERSION } from '../version.ts';
import { disarmAfterReplay } from './after-replay.ts';
import { recordDispatch } from './fetch-record.ts';
import { routeDispatch } from './fetch-route.ts';
import type { InterceptHandler } from './interceptor.ts';
import type { Recording, RecordOptions, RecordResult } from './record.ts';
import { RecordHandler } from './recorder.ts';
import { ReplayHandler } from './replayer.ts';
import type { Scope } from './scopes.ts';

/**
 * Recordings whose run failed: exchanges it never reached are a failure's doing, not a change,
 * so they stay (a failing test must not shorten its cassette unless it went live).
 */
const failed = new WeakSet<Recording>();

/** `record(options, run)`: the run threw before `stop()`. */
export function runFailed(recording: Recording): void {
  failed.add(recording);
}

interface Live {
  handler: RecordHandler;
  writer: CassetteWriter;
  kept: number;
}

export async function startUpdate(
  options: RecordOptions,
  cassette: string,
  redactor: Redactor,
  scope: Scope,
  claim: (scope: Scope) => () => void,
): Promise<Recording> {
  // No cassette yet: nothing to keep, everything is added.
  const old = existsSync(cassette) ? await readOldRecording(cassette) : null;
  // Opened as every replay is (replay/open.ts), with its lines kept aside for the rewrite.
  const match = { ...options, match: 'sequence' as const, name: options.cassette };
  const opened = old ? await openReplay(cassette, match) : null;
  const matcher =
    opened?.matcher ?? new ReplayMatcher(options.cassette, [], normalizeRequest, match);
  const hosts = opened?.hosts ?? new ProviderHosts();
  const started = performance.now();
  let live: Live | undefined;
  const goLive = (): Live => {
    if (live) return live;
    const served = matcher.exchanges.filter((e) => e.served > 0);
    const writer = openWriter(options, cassette, redactor, old, served);
    const pipeline = new CapturePipeline({
      sink: writer,
      redactor,
      clock: () => Math.round((performance.now() - started) * 1000) / 1000,
      hosts,
    });
    live = { handler: new RecordHandler(pipeline, hosts), writer, kept: served.length };
    return live;
  };
  const state = {
    get live() {
      return live !== undefined;
    },
    goLive,
  };
  const replay = new ReplayHandler({
    matcher,
    redactor,
    replaySpeed: options.replaySpeed ?? 0,
    unhandled: 'passthrough',
    hosts,
    update: state,
  });
  const answer = (raw: Parameters<ReplayHandler['answer']>[0], signal: AbortSignal) =>
    replay.answer(raw, signal);
  disarmAfterReplay();
  scope.dispatch = (original, dispatchOptions, handler) => {
    if (live) return recordDispatch(original, recorderOf(live), dispatchOptions, handler);
    // Answered from the cassette, or, once this request or one before it diverged, recorded.
    routeDispatch(original, answer, dispatchOptions, handler, (sent, h) => {
      if (!live) return original.dispatch(sent, h);
      recordDispatch(original, recorderOf(live), sent, h);
      return true;
    });
  };
  scope.intercept = socketHandler(replay, () => live);
  scope.hosts = hosts;
  const release = claim(scope);
  let result: RecordResult | undefined;
  const recording: Recording = {
    mode: 'update',
    cassette,
    async stop() {
      if (result) return result;
      try {
        await replay.settle();
        const recorded = live ? await live.handler.settle() : 0;
        release();
        const kept = live?.kept ?? matcher.exchanges.filter((e) => e.served > 0).length;
        const before = matcher.exchanges.length;
        const keepAll = !live && failed.has(recording);
        const report = keepAll
          ? updateReport(before, before, 0)
          : updateReport(before, kept, recorded);
        if (live) live.writer.seal();
        else if (kept < before && !keepAll) {
          // Nothing diverged, but the run ended early: the exchanges it never reached go.
          openWriter(options, cassette, redactor, old, matcher.exchanges.slice(0, kept)).seal();
        }
        if (old || live)
          process.stderr.write(`${formatMessage(describeUpdate(cassette, report))}\n`);
        result = {
          mode: 'update',
          cassette,
          exchanges: kept + recorded,
          unused: [],
          divergences: [],
          update: report,
        };
        const failure = replay.failures[0] ?? live?.handler.failures[0];
        if (failure) throw failure;
        return result;
      } finally {
        release();
      }
    },
  };
  return recording;
}

function openWriter(
  options: RecordOptions,
  cassette: string,
  redactor: Redactor,
  old: OldRecording | null,
  kept: readonly { correlation_id: string }[],
): CassetteWriter {
  const prefix = old ? keptPrefix(old, new Set(kept.map((e) => e.correlation_id))) : undefined;
  return createCassetteWriter(cassette, {
    header: {
      run_id: randomUUID(),
      capture: 'sdk',
      response_source: 'live',
      tool: { name: 'replaykit', version: VERSION },
      redaction: redactor.policy,
      ...(options.meta ? { meta: options.meta } : {}),
    },
    normalize: normalizeStep,
    replace: true,
    ...(prefix ? { prefix } : {}),
  });
}

function recorderOf(live: Live) {
  return {
    wants: (head: Parameters<RecordHandler['mayRecord']>[0]) => live.handler.mayRecord(head),
    take: (raw: Parameters<RecordHandler['dispatched']>[0]) => live.handler.dispatched(raw),
  };
}

/** Socket-level requests (`node:http`, own dispatchers): answered until the scope goes live. */
function socketHandler(replay: ReplayHandler, live: () => Live | undefined): InterceptHandler {
  return {
    async onRequest(event) {
      const recorder = live()?.handler;
      if (recorder) return recorder.onRequest(event);
      let answered = false;
      await replay.onRequest({
        ...event,
        respondWith: (response) => {
          answered = true;
          event.respondWith(response);
        },
      });
      if (!answered) await live()?.handler.onRequest(event);
    },
    onResponse: (event) => live()?.handler.onResponse(event),
    owns: (request) => live()?.handler.owns(request) ?? false,
  };
}
