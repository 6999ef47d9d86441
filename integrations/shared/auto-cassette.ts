/**
 * `autoCassette`: one `record()` scope per test, around the test body.
 *
 * - Record mode: a test that made no provider call leaves no file behind, so turning the option
 *   on does not litter the repository with empty cassettes.
 * - Replay mode with no cassette: the test still runs (a test that makes no provider call needs
 *   none) against an empty stand-in; the first provider call fails it, and the test then fails with
 *   the "record it first" message naming the real path.
 */
import { existsSync, mkdtempSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createCassetteWriter,
  effectiveMode,
  normalizeStep,
  type Recording,
  type RecordOptions,
  ReplayDivergenceError,
  ReplayKitError,
  resolveMode,
  runWithin,
  start as startScope,
  type UnusedExchange,
  VERSION,
} from '../../src/integration.ts';
import { note } from './ledger.ts';

export type AutoOptions = Omit<RecordOptions, 'cassette'>;

export interface AutoSession {
  /** Stops the scope (once); resolves with the error that should fail the test, if any. */
  end(): Promise<Error | null>;
}

/**
 * @note The active sessions live on `globalThis` (see ledger.ts for why), by cassette, so that a
 * parity check on a test's own automatic cassette can end that scope first: scopes run side by
 * side, except two on the same cassette file.
 */
const KEY = Symbol.for('replaykit.autoSessions');
const store = globalThis as { [KEY]?: Map<string, AutoSession> };
store[KEY] ??= new Map();
const sessions = store[KEY];

/** Ends the automatic scope that holds `cassette` early, if one is active. */
export async function suspendAuto(cassette: string): Promise<void> {
  await sessions.get(cassette)?.end();
}

export interface AutoScope extends AutoSession {
  /** Runs `fn` (the test body) in this test's scope: its requests go to its own cassette. */
  within<T>(fn: () => T): T;
}

export async function beginAuto(
  cassette: string,
  root: string,
  options: AutoOptions,
): Promise<AutoScope> {
  const started = await start(cassette, root, options);
  const session = once(started);
  sessions.set(cassette, session);
  return {
    within: started.within,
    end: () => {
      if (sessions.get(cassette) === session) sessions.delete(cassette);
      return session.end();
    },
  };
}

function once(session: AutoSession): AutoSession {
  let ended: Promise<Error | null> | null = null;
  return { end: () => (ended ??= session.end()) };
}

async function start(cassette: string, root: string, options: AutoOptions): Promise<AutoScope> {
  const shown = path.relative(process.cwd(), cassette) || cassette;
  const mode = effectiveMode(resolveMode(options.mode, options.env), existsSync(cassette));
  if (mode === 'replay' && !existsSync(cassette)) return beginMissing(shown, cassette, options);
  const rec: Recording = await startScope({ ...options, cassette: shown, mode }, { auto: shown });
  return {
    within: (fn) => runWithin(rec, fn),
    async end() {
      const result = await rec.stop();
      if (result.mode === 'record' && result.exchanges === 0) {
        removeEmpty(cassette, root);
        return null;
      }
      if (result.mode === 'record' || result.mode === 'update') {
        note({ cassette, outcome: 'recorded', unusedExchanges: 0 });
      }
      if (result.mode !== 'replay') return null;
      const diverged =
        result.divergences[0] ?? (options.strict ? unusedError(shown, result.unused) : null);
      note({
        cassette,
        outcome: diverged ? 'diverged' : 'replayed',
        unusedExchanges: result.unused.length,
        ...(result.served?.length ? { served: result.served } : {}),
      });
      return diverged;
    },
  };
}

async function beginMissing(
  shown: string,
  cassette: string,
  options: AutoOptions,
): Promise<AutoScope> {
  const dir = mkdtempSync(path.join(tmpdir(), 'replaykit-missing-'));
  const empty = path.join(dir, path.basename(cassette));
  createCassetteWriter(empty, {
    header: {
      run_id: 'missing',
      capture: 'sdk',
      response_source: 'replay',
      tool: { name: 'replaykit', version: VERSION },
      redaction: { policy: 'default' },
    },
    normalize: normalizeStep,
  }).seal();
  const rec = await startScope({ ...options, cassette: empty, mode: 'replay' }, { auto: shown });
  return {
    within: (fn) => runWithin(rec, fn),
    async end() {
      const result = await rec.stop();
      rmSync(dir, { recursive: true, force: true });
      if (result.divergences.length === 0) return null;
      note({ cassette, outcome: 'missing', unusedExchanges: 0 });
      return new ReplayKitError(
        'E_CASSETTE_MISSING',
        `Failed to replay "${shown}": the cassette does not exist and the test made provider requests (mode replay). Record it first: REPLAYKIT_MODE=record <your test command> -t "<test name>"`,
      );
    },
  };
}

function unusedError(shown: string, unused: UnusedExchange[]): Error | null {
  const first = unused[0];
  if (!first) return null;
  return new ReplayDivergenceError({
    kind: 'unused',
    cassette: shown,
    exchange: first.exchange,
    provider: first.provider,
    endpoint: first.endpoint,
    closest: { method: first.method, url: first.url, compared: null },
  });
}

/** Removes the cassette and the folders left empty, up to (not including) `root`. */
function removeEmpty(cassette: string, root: string): void {
  rmSync(cassette, { force: true });
  let dir = path.dirname(cassette);
  while (dir.startsWith(root) && dir !== root && existsSync(dir) && readdirSync(dir).length === 0) {
    rmdirSync(dir);
    dir = path.dirname(dir);
  }
}
