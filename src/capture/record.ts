/**
 * `replaykit.record()`: capture or stub the provider traffic of one async context for one
 * cassette. Any number of scopes may be active side by side; each request belongs to the scope in
 * whose async context it was made (capture/scopes.ts holds the rule, and the one for requests
 * outside every scope). Only two scopes on the same cassette file are refused: they would write
 * or serve one file twice.
 */

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createCassetteWriter } from '../cassette/writer.ts';
import { formatMessage, ReplayKitError, UsageError } from '../errors.ts';
import { assertSupportedNode } from '../node-version.ts';
import { normalizeStep } from '../pipeline/canonical.ts';
import { CapturePipeline } from '../pipeline/capture.ts';
import { ProviderHosts } from '../providers/index.ts';
import { createRedactor, type RedactorOptions } from '../redaction/index.ts';
import { Chaos, type ChaosOptions } from '../replay/chaos.ts';
import type { ReplayDivergenceError } from '../replay/divergence.ts';
import { describeDivergence } from '../replay/divergence.ts';
import { loadResponse } from '../replay/index-file.ts';
import type { MatchOptions, ReplayMatcher } from '../replay/matcher.ts';
import type { MintedBindings } from '../replay/minted.ts';
import { openReplay } from '../replay/open.ts';
import type { UpdateReport } from '../replay/update-cassette.ts';
import { VERSION } from '../version.ts';
import { armAfterReplay, disarmAfterReplay } from './after-replay.ts';
import { installFetchShortcut } from './fetch-shortcut.ts';
import { refuseProviderTraffic, setHttp2Guard } from './http2-route.ts';
import { installInterceptor } from './interceptor.ts';
import {
  assertModeAllowed,
  type EffectiveMode,
  effectiveMode,
  type Mode,
  resolveMode,
} from './mode.ts';
import { RecordHandler } from './recorder.ts';
import { ReplayHandler } from './replayer.ts';
import { useScopeRoute } from './scope-route.ts';
import { activate, enterScope, holderOf, releaseScope, runInScope, type Scope } from './scopes.ts';
import { runFailed, startUpdate } from './update.ts';

export interface RecordOptions extends MatchOptions {
  /** The `.rpk` file, relative to the working directory. */
  cassette: string;
  /** Default: `REPLAYKIT_MODE`, else `replay` on CI and `auto` elsewhere. */
  mode?: Mode;
  /** Redaction settings (on by default; see docs/REDACTION.md). */
  redact?: RedactorOptions;
  /** Replay pacing: 0 instant (default), 1 recorded timing, N times faster. */
  replaySpeed?: number;
  /** Exchanges left unused at `stop()` are an error, not just a report. */
  strict?: boolean;
  /** Non-provider requests in replay mode: let them through (default) or fail them. */
  unhandled?: 'passthrough' | 'error';
  /**
   * Replay mode: serve the recording as a bad network would, reproducibly from `seed`
   * (re-chunked bytes, a dropped connection, an error status, latency). docs/INTEGRATIONS.md.
   */
  chaos?: ChaosOptions;
  /** Free metadata for the run header. */
  meta?: Record<string, unknown>;
  /** Environment to read `REPLAYKIT_MODE` and `CI` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

export interface UnusedExchange {
  exchange: number;
  provider: string;
  endpoint: string;
  method: string;
  url: string;
}

export interface RecordResult {
  mode: EffectiveMode;
  cassette: string;
  /** Exchanges recorded (record mode) or served (replay mode). */
  exchanges: number;
  unused: UnusedExchange[];
  divergences: ReplayDivergenceError[];
  /** Update mode: which recorded exchanges were kept, replaced, added and dropped. */
  update?: UpdateReport;
  /**
   * Replay mode: the usage block of each response served (`times` how often), for the report of
   * tokens served from cassettes and what they would have cost live (issue 20 item 4).
   */
  served?: ServedUsage[];
}

export interface ServedUsage {
  provider: string;
  model: string | null;
  usage: Record<string, unknown>;
  times: number;
}

export interface Recording {
  readonly mode: EffectiveMode;
  readonly cassette: string;
  stop(): Promise<RecordResult>;
}

const scopes = new WeakMap<Recording, Scope>();

/** Runs `fn` in `recording`'s async context (the integrations wrap each test body in it). */
export function runWithin<T>(recording: Recording, fn: () => T): T {
  const scope = scopes.get(recording);
  return scope ? runInScope(scope, fn) : fn();
}

export function record(options: RecordOptions): Promise<Recording>;
export function record<T>(
  options: RecordOptions,
  run: () => Promise<T> | T,
): Promise<RecordResult & { value: T }>;
export async function record<T>(
  options: RecordOptions,
  run?: () => Promise<T> | T,
): Promise<Recording | (RecordResult & { value: T })> {
  // With `run`, only `run` is in the scope: the caller's context is left as it was, so scopes
  // started side by side (Promise.all) leave nothing behind in it.
  const recording = await start(options, run ? { enter: false } : {});
  if (!run) return recording;
  let value: T;
  try {
    value = await runWithin(recording, run);
  } catch (error) {
    if (options.chaos) printChaosSeed(options);
    if (recording.mode === 'update') runFailed(recording);
    // A divergence makes the SDK throw its own error (the 400 it was served, or a framework's
    // "no output"): the divergence is what explains it, so it wins, the run's error as its cause.
    const stopped = await recording.stop().catch((stopError: unknown) => {
      throw withCause(stopError, error);
    });
    const first = stopped.divergences[0];
    throw first ? first.explaining(error) : error;
  }
  const result = await recording.stop();
  const first = result.divergences[0];
  if (first) throw first;
  if (options.strict && result.unused.length > 0) throw unusedError(result);
  return { ...result, value };
}

/** stop() failing after the run did must not hide why the run failed: it becomes the cause. */
function withCause(stopError: unknown, runError: unknown): unknown {
  if (!(stopError instanceof Error)) return runError;
  if (stopError.cause === undefined) {
    Object.defineProperty(stopError, 'cause', {
      value: runError,
      configurable: true,
      writable: true,
    });
    return stopError;
  }
  return new AggregateError([stopError, runError], stopError.message, { cause: runError });
}

/** Internal hooks for replaykit's own callers (parity), never part of the public options. */
export interface RecordInternals {
  /** Replay mode only: served exchanges are also captured here. */
  trace?: CapturePipeline;
  /** With `trace`: filled with which recorded exchange served each traced one (trace → cassette). */
  servedBy?: Map<string, string>;
  /** Replay mode only: the minted-value bindings the matcher makes (parity reads them). */
  bindings?: MintedBindings;
  /**
   * The scope is a test's automatic one (`autoCassette`): the cassette to name when another
   * `record()` meets it (the scope's own may be a stand-in in a temporary folder).
   */
  auto?: string;
  /** `false`: the caller's async context is not entered (its callback runs in the scope). */
  enter?: boolean;
  /** Set by `start` from `options.chaos`. */
  chaos?: Chaos;
}

export async function start(
  options: RecordOptions,
  internals: RecordInternals = {},
): Promise<Recording> {
  assertSupportedNode();
  const cassette = path.resolve(options.cassette);
  const mode = effectiveMode(resolveMode(options.mode, options.env), existsSync(cassette));
  assertModeAllowed(mode, options.cassette, options.env);
  if (options.chaos && mode !== 'replay') {
    throw new UsageError(
      `Failed to start recording "${options.cassette}": chaos applies to replay, and the mode is ${mode}. Pass mode: 'replay' with chaos`,
    );
  }
  const chaos = options.chaos ? new Chaos(options.chaos) : undefined;
  if (mode === 'off' || mode === 'passthrough') {
    // Live traffic is this scope's intent: an earlier replay's refusals must not stop it.
    disarmAfterReplay();
    const result = { mode, cassette, exchanges: 0, unused: [], divergences: [] };
    return { mode, cassette, stop: async () => result };
  }
  const auto = internals.auto ? path.resolve(internals.auto) : undefined;
  // Entered before the first await, so the caller's own context (after `await record()`) holds
  // it: requests the caller makes from then on belong to this scope.
  const scope = enterScope(cassette, {
    enter: internals.enter !== false,
    ...(auto ? { auto } : {}),
  });
  if (!scope) {
    const holder = holderOf(cassette) ?? (auto ? holderOf(auto) : undefined);
    throw new ReplayKitError('E_SCOPE_ACTIVE', scopeActive(options.cassette, holder));
  }
  try {
    const redactor = createRedactor(options.redact);
    const recording =
      mode === 'replay'
        ? await startReplay(options, cassette, redactor, { ...internals, chaos }, scope)
        : mode === 'update'
          ? await startUpdate(options, cassette, redactor, scope, claim)
          : await startRecord(options, cassette, redactor, scope);
    scopes.set(recording, scope);
    return recording;
  } catch (error) {
    releaseScope(scope);
    throw error;
  }
}

/** Makes `scope` active with every route it needs; returns the function that ends it. */
function claim(scope: Scope): () => void {
  installInterceptor();
  if (scope.shortcut) installFetchShortcut();
  const deactivate = activate(scope);
  const releaseRoute = useScopeRoute();
  // The known provider hosts and this scope's (issue 21 review): HTTP/2 to one is refused.
  const unguard = setHttp2Guard(
    (headers, origin) => refuseProviderTraffic(headers, origin, scope.hosts),
    scope,
  );
  let released = false;
  return () => {
    if (released) return;
    released = true;
    deactivate();
    releaseRoute();
    unguard();
  };
}

function scopeActive(wanted: string, holder: Scope | undefined): string {
  if (!holder?.auto) {
    return `Failed to start recording "${wanted}": another record() scope is active for the same cassette file. Give each scope its own cassette, or stop the first one (await rec.stop()).`;
  }
  // Issue 22: inside an autoCassette test this named a stand-in file in a temporary folder.
  const own = path.relative(process.cwd(), holder.auto) || holder.auto;
  return `Failed to start recording "${wanted}": this test already records "${own}" itself because autoCassette is on. Choose one: remove this record() call and let autoCassette record the test, or give this record() another cassette (it then runs side by side with the test's own)`;
}

async function startReplay(
  options: RecordOptions,
  cassette: string,
  redactor: ReturnType<typeof createRedactor>,
  { trace, servedBy, bindings, chaos }: RecordInternals,
  scope: Scope,
): Promise<Recording> {
  if (!existsSync(cassette)) {
    throw new ReplayKitError(
      'E_CASSETTE_MISSING',
      `Failed to replay "${options.cassette}": the cassette does not exist (mode replay${options.mode ? '' : ', the default on CI'}). Record it first: REPLAYKIT_MODE=record <your test command>`,
    );
  }
  // A large cassette keeps its responses on disk until they are served (replay/index-file.ts).
  const { matcher, hosts } = await openReplay(cassette, {
    ...options,
    name: options.cassette,
    ...(bindings ? { bindings } : {}),
  });
  const handler = new ReplayHandler({
    matcher,
    redactor,
    replaySpeed: options.replaySpeed ?? 0,
    unhandled: options.unhandled ?? 'passthrough',
    hosts,
    ...(trace ? { trace } : {}),
    ...(chaos ? { chaos } : {}),
  });
  scope.intercept = handler;
  scope.answer = (raw, signal) => handler.answer(raw, signal);
  // A parity trace must see the requests as undici sends them (with its default headers).
  scope.shortcut = !trace;
  scope.hosts = hosts;
  const release = claim(scope);
  let result: RecordResult | undefined;
  return {
    mode: 'replay',
    cassette,
    async stop() {
      if (result) return result;
      // Before the routes go: a request still on its way to them is refused, never sent.
      armAfterReplay(hosts);
      release();
      await handler.settle();
      for (const [traced, recorded] of handler.servedBy) servedBy?.set(traced, recorded);
      result = {
        mode: 'replay',
        cassette,
        exchanges: handler.served,
        unused: matcher.unused().map((e) => ({
          exchange: e.index,
          provider: e.request.provider,
          endpoint: e.request.endpoint,
          method: e.request.method,
          url: e.request.url,
        })),
        divergences: handler.divergences,
        served: await servedUsage(matcher.exchanges),
      };
      // Parity (a trace) writes its own page from what the run produced.
      const first = handler.divergences[0];
      if (first && !trace) await writeDiffPage(first, cassette, handler.servedIds);
      if (handler.failures[0]) throw handler.failures[0];
      return result;
    },
  };
}

async function startRecord(
  options: RecordOptions,
  cassette: string,
  redactor: ReturnType<typeof createRedactor>,
  scope: Scope,
): Promise<Recording> {
  const writer = createCassetteWriter(cassette, {
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
  });
  const started = performance.now();
  const hosts = new ProviderHosts();
  const pipeline = new CapturePipeline({
    sink: writer,
    redactor,
    clock: () => Math.round((performance.now() - started) * 1000) / 1000,
    hosts,
  });
  const handler = new RecordHandler(pipeline, hosts);
  disarmAfterReplay();
  scope.intercept = handler;
  scope.recorder = {
    wants: (head) => handler.mayRecord(head),
    take: (raw) => handler.dispatched(raw),
  };
  scope.hosts = hosts;
  const release = claim(scope);
  let result: RecordResult | undefined;
  return {
    mode: 'record',
    cassette,
    async stop() {
      if (result) return result;
      try {
        const exchanges = await handler.settle();
        release();
        writer.seal();
        result = { mode: 'record', cassette, exchanges, unused: [], divergences: [] };
        // Traffic that could not be recorded must not leave a cassette that looks complete.
        if (handler.failures[0]) throw handler.failures[0];
        return result;
      } finally {
        release();
      }
    },
  };
}

/**
 * The conversation-level HTML diff of a diverged replay, named at the end of the error (issue 19).
 * Loaded only on a divergence: a passing replay never pays for the viewer.
 */
async function writeDiffPage(
  error: ReplayDivergenceError,
  cassette: string,
  servedIds: readonly string[],
): Promise<void> {
  try {
    const { attachReplayDiffPage } = await import('../viewer/replay-divergence-page.ts');
    await attachReplayDiffPage(error, cassette, servedIds);
  } catch {
    // Never a second failure: the divergence stays the report.
  }
}

/** A chaos run that failed is replayed with the same seed: say which. */
function printChaosSeed(options: RecordOptions): void {
  const described = new Chaos(options.chaos!).describe();
  process.stderr.write(
    `${formatMessage(`Chaos replay of "${options.cassette}" failed with chaos ${described}. Run it again with the same options (chaos: ${JSON.stringify(options.chaos)}) to see the same faults`)}\n`,
  );
}

function unusedError(result: RecordResult): ReplayKitError {
  const first = result.unused[0]!;
  return new ReplayKitError(
    'E_REPLAY_UNUSED',
    describeDivergence({
      kind: 'unused',
      cassette: path.relative(process.cwd(), result.cassette),
      exchange: first.exchange,
      provider: first.provider,
      endpoint: first.endpoint,
      closest: { method: first.method, url: first.url, compared: null },
    }),
  );
}

async function servedUsage(exchanges: ReplayMatcher['exchanges']): Promise<ServedUsage[]> {
  const out: ServedUsage[] = [];
  for (const e of exchanges) {
    if (e.served === 0 || !e.response) continue;
    // A large cassette keeps responses on disk: read back only those served (once each).
    const response = await loadResponse(e.response);
    const usage = response.assembled?.usage;
    if (!usage) continue;
    const model = response.assembled?.model ?? e.request.model ?? null;
    out.push({ provider: e.request.provider, model, usage, times: e.served });
  }
  return out;
}
