/**
 * Transparent mode's lifecycle: start, stop, status, the same on both backends. Every change is
 * journaled before it is made (journal.ts); a failure at any step rolls back everything that may
 * have happened, in reverse order; stop always attempts every undo and reports each one; a
 * session whose listener died (`kill -9`, a crash) is `stale`, and stop or the next start
 * reverts it. Start on a running session changes nothing.
 */
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { cliName } from '../cli-name.ts';
import { ExitCode, ReplayKitError } from '../errors.ts';
import type { GatewayCounts } from '../listener/gateway-context.ts';
import { DEFAULT_UPSTREAMS, type UpstreamProvider } from '../listener/options.ts';
import { type CaInfo, ensureCa, readCa } from './ca.ts';
import { freePort } from './free-port.ts';
import {
  type Backend,
  type Journal,
  type JournalStep,
  readJournal,
  removeJournal,
  writeJournal,
} from './journal.ts';
import { listenerLiveness, spawnListener, stopListenerProcess } from './listener-process.ts';
import { nftPlan } from './nft.ts';
import { transparentPaths } from './paths.ts';
import { PF_CONF, pfPlan } from './pf.ts';
import type { BackendPlan, PlanInput } from './plan.ts';
import { type CommandRunner, commandLine, systemRunner } from './runner.ts';

export const TRANSPARENT_STATES = ['running', 'stopped', 'stale'] as const;
export type TransparentState = (typeof TRANSPARENT_STATES)[number];

/** The group the listener runs as; the redirect lets this group's connections through. */
export const DEFAULT_EXEMPT_GID = 47_811;

export interface TransparentOptions {
  /** Default `REPLAYKIT_HOME`, else `~/.replaykit`; transparent files go in `transparent/`. */
  stateDir?: string;
  /** Default: `pf` on macOS, `nft` elsewhere. */
  backend?: Backend;
  runner?: CommandRunner;
  /** Provider hosts to capture. Default: the OpenAI, Anthropic and Gemini API hosts. */
  hosts?: string[];
  /** The TLS front's port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Directory for the artifacts. Default `./.replaykit/recordings`. */
  out?: string;
  /** Upstream override (tests); default: the real hosts. */
  upstreams?: Partial<Record<UpstreamProvider, string>>;
  exemptGid?: number;
  capture?: 'minimal' | 'full';
  /** Host → IPv4 addresses. Default: the system resolver. */
  resolveHost?: (host: string) => Promise<string[]>;
  cliEntry?: string;
  /** pf: the main ruleset file. Default `/etc/pf.conf`. */
  pfConfPath?: string;
  /** pf: the login keychain that trusts the CA. */
  keychain?: string;
}

export interface StepReport {
  step: string;
  action: 'apply' | 'undo';
  command: string | null;
  ok: boolean;
  detail: string;
}

export interface RollbackEntry {
  step: string;
  commands: string[];
}

export interface TransparentStatus {
  state: TransparentState;
  backend: Backend;
  hosts: string[];
  addresses: string[];
  /** The rules applied (nft script or pf anchor); null when none are. */
  rules: string | null;
  ca: { path: string; sha256: string } | null;
  /** What stop would undo, newest first. */
  rollback: RollbackEntry[];
  artifact: string | null;
  counts: GatewayCounts | null;
  pid: number | null;
  port: number | null;
  exempt_gid: number | null;
  started_at: string | null;
  state_dir: string;
  /** For `stale`: why. */
  reason?: string;
}

export interface StopResult {
  state: 'stopped';
  was: TransparentState;
  /** Every undo succeeded: the network is as it was before start. */
  ok: boolean;
  steps: StepReport[];
  artifacts: string[];
  counts: GatewayCounts | null;
  message: string;
}

export interface StartResult extends TransparentStatus {
  /** Start found this session already running and changed nothing. */
  already_running: boolean;
  /** A stale session that start reverted first. */
  recovered: StopResult | null;
  steps: StepReport[];
}

/** A failed start: what was attempted and how the rollback went (printed by `--json`). */
export class TransparentStartError extends ReplayKitError {
  readonly report: { steps: StepReport[]; rollback: StopResult | null };
  constructor(message: string, report: TransparentStartError['report'], cause?: unknown) {
    super('E_TRANSPARENT_START', message, { exitCode: ExitCode.environment, cause });
    this.report = report;
  }
}

export function defaultBackend(platform: NodeJS.Platform = process.platform): Backend {
  return platform === 'darwin' ? 'pf' : 'nft';
}

export function defaultHosts(): string[] {
  return Object.values(DEFAULT_UPSTREAMS).map((url) => new URL(url).hostname);
}

async function systemResolve(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, family: 4 });
  return found.map((a) => a.address);
}

export async function transparentStatus(
  options: TransparentOptions = {},
): Promise<TransparentStatus> {
  const paths = transparentPaths(options.stateDir);
  const journal = readJournal(paths.dir);
  const ca = readCa(paths.dir);
  if (!journal) {
    return {
      state: 'stopped',
      backend: options.backend ?? defaultBackend(),
      hosts: options.hosts ?? defaultHosts(),
      addresses: [],
      rules: null,
      ca: ca ? { path: ca.path, sha256: ca.sha256 } : null,
      rollback: [],
      artifact: null,
      counts: null,
      pid: null,
      port: null,
      exempt_gid: null,
      started_at: null,
      state_dir: paths.dir,
    };
  }
  const live = await listenerLiveness(journal);
  return {
    ...fromJournal(journal, paths.dir),
    state: live.alive ? 'running' : 'stale',
    artifact: live.alive ? (live.health.artifact ?? journal.artifact) : journal.artifact,
    counts: live.alive ? live.health.counts : null,
    ...(live.alive ? {} : { reason: live.reason }),
  };
}

function fromJournal(journal: Journal, dir: string): Omit<TransparentStatus, 'state' | 'counts'> {
  return {
    backend: journal.backend,
    hosts: journal.hosts,
    addresses: journal.addresses,
    rules: journal.steps.some((s) => s.kind === 'command') ? journal.rules : null,
    ca: { path: journal.ca.path, sha256: journal.ca.sha256 },
    rollback: [...journal.steps].reverse().map((s) => ({
      step: s.id,
      commands:
        s.kind === 'listener'
          ? [`stop listener pid ${journal.listener?.pid ?? '(not started)'}`]
          : s.undo.map((u) => commandLine(u.command)),
    })),
    artifact: journal.artifact,
    pid: journal.listener?.pid ?? null,
    port: journal.port,
    exempt_gid: journal.exempt_gid,
    started_at: journal.started_at,
    state_dir: dir,
  };
}

export async function startTransparent(options: TransparentOptions = {}): Promise<StartResult> {
  const paths = transparentPaths(options.stateDir);
  const runner = options.runner ?? systemRunner;
  let recovered: StopResult | null = null;
  const existing = readJournal(paths.dir);
  if (existing) {
    const status = await transparentStatus(options);
    if (status.state === 'running') {
      return { ...status, already_running: true, recovered: null, steps: [] };
    }
    recovered = await stopTransparent(options);
    if (!recovered.ok) {
      throw new TransparentStartError(
        `Failed to start transparent mode: the stale session could not be fully reverted (${failedSteps(recovered.steps)}). Fix what the steps report, then run "${cliName()} listen transparent stop" until it succeeds.`,
        { steps: [], rollback: recovered },
      );
    }
  }
  const ca = ensureCa(paths.dir);
  const hosts = options.hosts ?? defaultHosts();
  const addresses = await resolveAll(hosts, options.resolveHost ?? systemResolve);
  const port = options.port ? options.port : await freePort();
  const exemptGid = options.exemptGid ?? DEFAULT_EXEMPT_GID;
  const backend = options.backend ?? defaultBackend();
  const plan = planFor(backend, { addresses, port, exemptGid, ca }, options);
  if (plan.conflict) {
    const probe = await runner.run(plan.conflict.command);
    if (plan.conflict.present(probe)) {
      throw new TransparentStartError(
        `Failed to start transparent mode: ReplayKit rules are already applied ("${commandLine(plan.conflict.command)}" lists them) but no session journal describes them. Check that no other ReplayKit runs, then remove them with "${plan.conflict.fix}".`,
        { steps: [], rollback: null },
      );
    }
  }
  const journal: Journal = {
    version: 1,
    backend,
    started_at: new Date().toISOString(),
    hosts,
    addresses,
    port,
    exempt_gid: exemptGid,
    ca: { path: ca.path, sha256: ca.sha256, sha1: ca.sha1 },
    rules: plan.rules,
    artifact: null,
    listener: null,
    steps: [],
  };
  writeJournal(paths.dir, journal);
  const steps: StepReport[] = [];
  for (const planned of plan.steps) {
    const id = planned === 'listener' ? 'listener' : planned.id;
    const entry: JournalStep =
      planned === 'listener'
        ? { id, kind: 'listener', status: 'pending', undo: [] }
        : { id, kind: 'command', status: 'pending', undo: planned.undo };
    journal.steps.push(entry);
    writeJournal(paths.dir, journal);
    try {
      if (planned === 'listener') {
        const spawned = await spawnListener({
          stateDir: resolveStateHome(options.stateDir),
          listenerDir: paths.listenerDir,
          port,
          exemptGid,
          out: resolve(options.out ?? '.replaykit/recordings'),
          upstreams: options.upstreams ?? {},
          capture: options.capture ?? 'minimal',
          ...(options.cliEntry ? { cliEntry: options.cliEntry } : {}),
        });
        journal.listener = {
          pid: spawned.pid,
          instance_id: spawned.instance_id,
          state_dir: paths.listenerDir,
        };
        journal.artifact = spawned.artifact;
        steps.push({
          step: id,
          action: 'apply',
          command: null,
          ok: true,
          detail: `listener pid ${spawned.pid} on 127.0.0.1:${port}`,
        });
      } else {
        const result = await runner.run(planned.apply);
        const line = commandLine(planned.apply);
        if (result.code !== 0) {
          steps.push({
            step: id,
            action: 'apply',
            command: line,
            ok: false,
            detail: clip(result.stderr || result.stdout),
          });
          throw new Error(
            `"${line}" exited with ${result.code}: ${clip(result.stderr || result.stdout)}`,
          );
        }
        if (planned.undoFrom) entry.undo = planned.undoFrom(result);
        steps.push({ step: id, action: 'apply', command: line, ok: true, detail: 'applied' });
      }
      entry.status = 'applied';
      writeJournal(paths.dir, journal);
    } catch (error) {
      if (planned === 'listener')
        steps.push({
          step: id,
          action: 'apply',
          command: null,
          ok: false,
          detail: reasonOf(error),
        });
      const rollback = await rollbackJournal(journal, paths.dir, runner, 'stale');
      throw new TransparentStartError(
        `Failed to start transparent mode at step "${id}": ${reasonOf(error)}. ${rollback.ok ? 'Every change was rolled back.' : `The rollback did not finish (${failedSteps(rollback.steps)}): run "${cliName()} listen transparent stop" and check its steps.`}`,
        { steps, rollback },
        error,
      );
    }
  }
  const status = await transparentStatus(options);
  return { ...status, already_running: false, recovered, steps };
}

export async function stopTransparent(options: TransparentOptions = {}): Promise<StopResult> {
  const paths = transparentPaths(options.stateDir);
  const journal = readJournal(paths.dir);
  if (!journal) {
    return {
      state: 'stopped',
      was: 'stopped',
      ok: true,
      steps: [],
      artifacts: [],
      counts: null,
      message: 'Transparent mode was not running: nothing to undo.',
    };
  }
  const live = await listenerLiveness(journal);
  const result = await rollbackJournal(
    journal,
    paths.dir,
    options.runner ?? systemRunner,
    live.alive ? 'running' : 'stale',
  );
  return { ...result, counts: live.alive ? live.health.counts : null };
}

/**
 * Undoes every journaled step, newest first, whatever happened to the ones before: a failed undo
 * is reported and stays in the journal (the next stop tries it again), the others still run.
 */
async function rollbackJournal(
  journal: Journal,
  dir: string,
  runner: CommandRunner,
  was: TransparentState,
): Promise<StopResult> {
  const reports: StepReport[] = [];
  let artifacts: string[] = [];
  const original = [...journal.steps];
  const done = new Set<JournalStep>();
  for (const step of [...original].reverse()) {
    let stepOk = true;
    if (step.kind === 'listener') {
      const stopped = await stopListenerProcess(journal);
      artifacts = stopped.artifacts;
      stepOk = stopped.ok;
      reports.push({
        step: step.id,
        action: 'undo',
        command: null,
        ok: stopped.ok,
        detail: stopped.detail,
      });
    } else if (step.undo.length === 0) {
      reports.push({
        step: step.id,
        action: 'undo',
        command: null,
        ok: true,
        detail: 'nothing to undo',
      });
    } else {
      for (const undo of step.undo) {
        const line = commandLine(undo.command);
        const result = await runner.run(undo.command);
        const output = `${result.stderr}\n${result.stdout}`;
        const absent = undo.absent !== undefined && new RegExp(undo.absent).test(output);
        const ok = result.code === 0 || absent;
        stepOk &&= ok;
        reports.push({
          step: step.id,
          action: 'undo',
          command: line,
          ok,
          detail: result.code === 0 ? 'undone' : absent ? 'already absent' : clip(output.trim()),
        });
      }
    }
    if (stepOk) done.add(step);
    // Journal what is left after every step: a stop cut short resumes where it was.
    journal.steps = original.filter((s) => !done.has(s));
    writeJournal(dir, journal);
  }
  const ok = journal.steps.length === 0;
  if (ok) removeJournal(dir);
  return {
    state: 'stopped',
    was,
    ok,
    steps: reports,
    artifacts,
    counts: null,
    message: ok
      ? `Transparent mode stopped${was === 'stale' ? ' (it was stale: its listener had died)' : ''}; every change was undone.`
      : `Transparent mode is NOT fully reverted: ${failedSteps(reports)} failed. Fix the cause and run "${cliName()} listen transparent stop" again.`,
  };
}

function planFor(backend: Backend, input: PlanInput, options: TransparentOptions): BackendPlan {
  if (backend === 'nft') return nftPlan(input);
  const pfConfPath = options.pfConfPath ?? PF_CONF;
  return pfPlan({
    ...input,
    pfConf: readFileSync(pfConfPath, 'utf8'),
    pfConfPath,
    keychain: options.keychain ?? defaultKeychain(),
  });
}

/** Under sudo, the keychain of the user who ran it, not root's. */
function defaultKeychain(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.SUDO_USER ? join('/Users', env.SUDO_USER) : homedir();
  return join(home, 'Library', 'Keychains', 'login.keychain-db');
}

function resolveStateHome(stateDir?: string): string {
  // transparentPaths(x).dir is `<state>/transparent`: the listener gets `<state>` itself.
  return resolve(transparentPaths(stateDir).dir, '..');
}

async function resolveAll(
  hosts: string[],
  resolveHost: (host: string) => Promise<string[]>,
): Promise<string[]> {
  const all = new Set<string>();
  for (const host of hosts) {
    let found: string[];
    try {
      found = await resolveHost(host);
    } catch (error) {
      throw new ReplayKitError(
        'E_TRANSPARENT_RESOLVE',
        `Failed to resolve "${host}": ${reasonOf(error)}. Transparent mode redirects by address; check DNS or drop the host from --hosts.`,
        { cause: error },
      );
    }
    for (const address of found) all.add(address);
  }
  if (all.size === 0) {
    throw new ReplayKitError(
      'E_TRANSPARENT_RESOLVE',
      `Failed to resolve "${hosts.join(', ')}": no IPv4 address. Transparent mode redirects IPv4 addresses only.`,
    );
  }
  return [...all].sort();
}

function failedSteps(steps: StepReport[]): string {
  return (
    steps
      .filter((s) => !s.ok)
      .map((s) => `${s.step}${s.command ? ` (${s.command})` : ''}`)
      .join(', ') || 'none'
  );
}

function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^\[replaykit\] /, '');
}

function clip(text: string): string {
  const t = text.trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}

export type { CaInfo };
export { ensureCa };
