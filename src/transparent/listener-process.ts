/**
 * Starting and stopping the transparent listener process from the controller. The process runs
 * detached with its own group id (the redirect exempts that group) and publishes the passive
 * listener's state file in its own directory; it counts as ours only when its health endpoint
 * answers with the identity in that file.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { ExitCode, ReplayKitError } from '../errors.ts';
import type { GatewayHealth } from '../listener/gateway.ts';
import type { UpstreamProvider } from '../listener/options.ts';
import { defaultCliEntry } from '../listener/start.ts';
import { clearState, ensureStateDir, LOG_FILE, readState } from '../listener/state.ts';
import { isPidAlive, probeListener, requestShutdown } from '../listener/status.ts';
import type { Journal } from './journal.ts';

export interface SpawnInput {
  stateDir: string;
  listenerDir: string;
  port: number;
  exemptGid: number;
  out: string;
  upstreams: Partial<Record<UpstreamProvider, string>>;
  capture: 'minimal' | 'full';
  cliEntry?: string;
  timeoutMs?: number;
}

export interface SpawnedListener {
  pid: number;
  instance_id: string;
  artifact: string | null;
  log: string;
}

export async function spawnListener(input: SpawnInput): Promise<SpawnedListener> {
  ensureStateDir(input.listenerDir);
  const log = join(input.listenerDir, LOG_FILE);
  const fd = openSync(log, 'w');
  const args = ['listen', 'transparent', 'serve', '--port', String(input.port)];
  args.push('--out', input.out, '--capture', input.capture);
  for (const [provider, url] of Object.entries(input.upstreams))
    args.push('--upstream', `${provider}=${url}`);
  // Only root may take another group; without it there is nothing to exempt (start fails later
  // at the rules anyway, and doctor says why).
  const asRoot = process.getuid?.() === 0;
  let child: ReturnType<typeof execa>;
  try {
    child = execa(process.execPath, [input.cliEntry ?? defaultCliEntry(), ...args], {
      detached: true,
      cleanup: false,
      reject: false,
      stdin: 'ignore',
      stdout: fd as never,
      stderr: fd as never,
      cwd: input.listenerDir,
      ...(asRoot ? { gid: input.exemptGid } : {}),
      env: { REPLAYKIT_HOME: input.stateDir, REPLAYKIT_LISTENER_LOG: log },
    });
  } finally {
    closeSync(fd);
  }
  child.nodeChildProcess.unref();
  let exited = false;
  void child.then(() => {
    exited = true;
  });
  const deadline = Date.now() + (input.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 40));
    if (exited) throw listenerExited(log);
    const state = readState(input.listenerDir);
    if (!state || state.pid !== child.pid) continue;
    if ((await probeListener(state, 1000)).kind !== 'ours') continue;
    if (!(await accepts(input.port))) continue;
    return { pid: state.pid, instance_id: state.instance_id, artifact: state.artifact, log };
  }
  if (!exited) child.kill('SIGKILL');
  throw new ReplayKitError(
    'E_START_TIMEOUT',
    `Failed to start the transparent listener: it did not answer within ${Math.round((input.timeoutMs ?? 15_000) / 1000)} s. See the log: ${log}`,
    { exitCode: ExitCode.environment },
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function listenerExited(log: string): ReplayKitError {
  let reason = '';
  try {
    reason =
      readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .findLast((l) => l.startsWith('[replaykit]')) ?? '';
  } catch {}
  return new ReplayKitError(
    'E_LISTENER_EXITED',
    reason
      ? `${reason} (log: ${log})`
      : `Failed to start the transparent listener: it exited before answering. See the log: ${log}`,
    { exitCode: ExitCode.environment },
  );
}

export type Liveness = { alive: true; health: GatewayHealth } | { alive: false; reason: string };

export async function listenerLiveness(journal: Journal): Promise<Liveness> {
  const recorded = journal.listener;
  if (!recorded) return { alive: false, reason: 'the listener never started' };
  if (!isPidAlive(recorded.pid))
    return { alive: false, reason: `the listener (pid ${recorded.pid}) is gone` };
  const state = readState(recorded.state_dir);
  if (!state || state.instance_id !== recorded.instance_id)
    return { alive: false, reason: `the listener (pid ${recorded.pid}) left no state` };
  const probe = await probeListener(state, 2000);
  if (probe.kind !== 'ours')
    return { alive: false, reason: `the listener (pid ${recorded.pid}) does not answer` };
  return { alive: true, health: probe.health };
}

export interface ListenerStop {
  ok: boolean;
  detail: string;
  artifacts: string[];
}

export async function stopListenerProcess(journal: Journal): Promise<ListenerStop> {
  const recorded = journal.listener;
  const fallback = journal.artifact ? [journal.artifact] : [];
  if (!recorded) return { ok: true, detail: 'no listener was started', artifacts: [] };
  const state = readState(recorded.state_dir);
  const ours = state?.instance_id === recorded.instance_id ? state : null;
  let detail: string;
  let artifacts = fallback;
  if (ours && (await probeListener(ours, 2000)).kind === 'ours') {
    const result = (await requestShutdown(ours, 20_000)) as { artifacts?: string[] } | null;
    artifacts = result?.artifacts?.length ? result.artifacts : fallback;
    detail = `stopped the listener (pid ${recorded.pid})`;
  } else if (isPidAlive(recorded.pid) && isOurServe(recorded.pid)) {
    process.kill(recorded.pid, 'SIGKILL');
    detail = `killed the unresponsive listener (pid ${recorded.pid})`;
  } else {
    detail = `the listener (pid ${recorded.pid}) was already gone`;
  }
  if (!(await waitForExit(recorded.pid, 5_000)) && isOurServe(recorded.pid)) {
    process.kill(recorded.pid, 'SIGKILL');
    await waitForExit(recorded.pid, 5_000);
  }
  clearState(recorded.state_dir, recorded.instance_id);
  const gone = !isPidAlive(recorded.pid);
  return { ok: gone, detail: gone ? detail : `${detail}, but it is still running`, artifacts };
}

/** A pid is signalled only when its command line is our serve process (pids are reused). */
function isOurServe(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('transparent\0serve');
  } catch {
    // No /proc (macOS): the pid was just proven alive and is the one we recorded at spawn.
    return process.platform !== 'linux';
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isPidAlive(pid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
