/**
 * `listen start` without `--foreground`: spawns the same CLI detached (its own process group,
 * output to a log file in the state directory) and returns once the child's health endpoint
 * answers with the identity the child published in the state file.
 */

import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ExitCode, ReplayKitError } from '../errors.ts';
import { describeChaos } from '../replay/chaos.ts';
import { alreadyRunning } from './foreground.ts';
import { type ListenOptions, type ResolvedListenOptions, resolveListenOptions } from './options.ts';
import {
  ensureStateDir,
  type ListenerMode,
  type ListenerPolicy,
  LOG_FILE,
  readState,
} from './state.ts';
import { inspectListener, probeListener } from './status.ts';

export interface StartOptions extends ListenOptions {
  /** How long to wait for the child's health check. Default 15 s. */
  timeoutMs?: number;
  /** The `replaypack` entry to spawn; default: the CLI next to this module. */
  cliEntry?: string;
}

export interface StartResult {
  status: 'running';
  url: string;
  pid: number;
  port: number;
  mode: ListenerMode;
  policy: ListenerPolicy;
  artifact: string | null;
  log: string;
  state_dir: string;
  /** Loud notes: synthetic mode, `--capture full`. */
  warnings: string[];
}

export async function startListener(input: StartOptions = {}): Promise<StartResult> {
  const options = resolveListenOptions(input);
  const existing = await inspectListener({ stateDir: options.stateDir });
  if (existing.status.status === 'running') {
    throw alreadyRunning(existing.status.url ?? '', existing.status.pid ?? 0);
  }
  ensureStateDir(options.stateDir);
  const logPath = join(options.stateDir, LOG_FILE);
  const logFd = openSync(logPath, 'w');
  let child: ReturnType<typeof spawnDetached>;
  try {
    child = spawnDetached(input.cliEntry ?? defaultCliEntry(), options, logFd, logPath);
  } finally {
    closeSync(logFd);
  }
  child.nodeChildProcess.unref();
  let exited: { code: number | undefined } | null = null;
  void child.then((r) => {
    exited = { code: r.exitCode };
  });

  const pid = child.pid;
  const deadline = Date.now() + (input.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 40));
    if (exited) throw childExited(logPath, (exited as { code: number | undefined }).code);
    const state = readState(options.stateDir);
    if (!state || state.pid !== pid) continue;
    const probe = await probeListener(state, 1000);
    if (probe.kind !== 'ours') continue;
    return {
      status: 'running',
      url: state.url,
      pid: state.pid,
      port: state.port,
      mode: state.mode,
      policy: state.policy,
      artifact: state.artifact,
      log: logPath,
      state_dir: options.stateDir,
      warnings: options.warnings,
    };
  }
  // Ours for certain (we spawned it and it has not exited): do not leave it behind.
  if (pid !== undefined && !exited) child.kill('SIGKILL');
  throw new ReplayKitError(
    'E_START_TIMEOUT',
    `Failed to start the listener: it did not answer its health check within ${Math.round((input.timeoutMs ?? 15_000) / 1000)} s. See the log: ${logPath}`,
    { exitCode: ExitCode.environment },
  );
}

function spawnDetached(
  entry: string,
  options: ResolvedListenOptions,
  logFd: number,
  logPath: string,
) {
  return execa(process.execPath, [entry, ...childArgs(options)], {
    detached: true,
    cleanup: false,
    reject: false,
    stdin: 'ignore',
    // A raw file descriptor goes straight to spawn, so output needs no pipe through this
    // (soon gone) parent. Execa accepts it at runtime; its types only list literal fds.
    stdout: logFd as never,
    stderr: logFd as never,
    // Not the caller's cwd: a daemon holding a directory open blocks deleting it on Windows.
    cwd: options.stateDir,
    env: {
      REPLAYKIT_HOME: options.stateDir,
      REPLAYKIT_LISTENER_LOG: logPath,
      // The token travels by environment, not argv, which other users can read in `ps`.
      REPLAYKIT_LISTENER_TOKEN: options.token ?? '',
    },
  });
}

function childExited(logPath: string, code: number | undefined): ReplayKitError {
  let reason = '';
  try {
    const lines = readFileSync(logPath, 'utf8').trim().split('\n');
    reason = lines.findLast((l) => l.startsWith('[replaykit]')) ?? lines.at(-1) ?? '';
  } catch {}
  const exitCode =
    code === ExitCode.usage || code === ExitCode.invalidInput ? code : ExitCode.environment;
  const message = reason
    ? `${reason} (log: ${logPath})`
    : `Failed to start the listener: it exited with code ${code} before answering. See the log: ${logPath}`;
  return new ReplayKitError('E_LISTENER_EXITED', message, { exitCode });
}

export function childArgs(o: ResolvedListenOptions): string[] {
  const args = ['listen', 'start', '--foreground', '--port', String(o.port), '--host', o.host];
  args.push('--out', o.out, '--mode', o.mode, '--policy', o.policy);
  for (const [provider, url] of Object.entries(o.upstreams))
    args.push('--upstream', `${provider}=${url}`);
  for (const [name, url] of Object.entries(o.mcpUpstreams))
    args.push('--upstream', `mcp.${name}=${url}`);
  if (o.cassette) args.push('--cassette', o.cassette);
  if (o.chaos) args.push('--chaos', describeChaos(o.chaos));
  for (const p of o.ignorePaths) args.push('--ignore-path', p);
  if (o.failOnSynthetic) args.push('--fail-on-synthetic');
  if (o.allowRemote) args.push('--allow-remote');
  args.push('--capture', o.capture, '--timeout', `${o.timeoutMs}ms`);
  args.push('--retries', String(o.retries), '--retry-backoff', `${o.retryBackoffMs}ms`);
  if (o.rotateSizeBytes) args.push('--rotate-size', String(o.rotateSizeBytes));
  if (o.rotateIntervalMs) args.push('--rotate-interval', `${o.rotateIntervalMs}ms`);
  return args;
}

/** The CLI beside this module: `src/cli/main.ts` in the source tree, `dist/cli.mjs` when built. */
export function defaultCliEntry(): string {
  const candidates = ['../cli/main.ts', './cli.mjs'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new ReplayKitError(
      'E_CLI_NOT_FOUND',
      `Failed to start the listener: the replaypack CLI was not found (looked for ${candidates.join(', ')}). Reinstall replaykit, or pass cliEntry.`,
    );
  }
  return found;
}
