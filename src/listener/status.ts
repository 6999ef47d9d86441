/**
 * What is really running, from the state file checked against the live process. A pid alone
 * proves nothing (pids are reused, and after `kill -9` the state file stays behind), so a
 * listener counts as ours only when its health endpoint answers with the instance id we stored.
 * Stale state is removed; a process that is not ours is never signalled.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { GatewayHealth } from './gateway.ts';
import type { GatewayCounts } from './gateway-context.ts';
import { CONTROL_TOKEN_HEADER, TOKEN_HEADER } from './headers.ts';
import { clearState, type ListenerState, readState, resolveStateDir } from './state.ts';

export interface StatusOptions {
  stateDir?: string;
  /** How long to wait for the health endpoint. Default 2000 ms. */
  timeoutMs?: number;
}

export interface ListenerStatus {
  status: 'running' | 'stopped' | 'stale';
  pid: number | null;
  port: number | null;
  url: string | null;
  mode: string | null;
  policy: string | null;
  artifact: string | null;
  uptime_s: number | null;
  counts: GatewayCounts | null;
  degraded: boolean;
  /** Loud notes from the running listener: synthetic mode, `--capture full`. */
  warnings: string[];
  state_dir: string;
  /** For `stale`: why, and whether the state file was removed. */
  reason?: string;
  cleaned?: boolean;
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, but owned by someone else (so certainly not a listener we started).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * A detached listener outlives the CLI that spawned it, so its parent becomes PID 1. In
 * containers PID 1 is often not an init that reaps children: the exited listener then stays a
 * zombie that `kill(pid, 0)` still reports as present. It is dead all the same.
 */
function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}

export type Probe =
  | { kind: 'ours'; health: GatewayHealth }
  | { kind: 'other'; detail: string }
  | { kind: 'unresponsive' };

/** Asks `state.url` for its health and compares identities. */
export function probeListener(state: ListenerState, timeoutMs = 2000): Promise<Probe> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (state.token) headers[TOKEN_HEADER] = state.token;
    const req = http.get(`${state.url}/__replaykit/health`, { headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        try {
          const health = JSON.parse(text) as GatewayHealth;
          if (health.instance_id === state.instance_id && health.pid === state.pid) {
            return resolve({ kind: 'ours', health });
          }
          resolve({ kind: 'other', detail: `another listener (pid ${health.pid}) answers there` });
        } catch {
          resolve({ kind: 'other', detail: `something else answers on port ${state.port}` });
        }
      });
      res.on('error', () => resolve({ kind: 'other', detail: 'the health answer broke off' }));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve({ kind: 'unresponsive' });
    });
    // After a timeout this fires too, but the promise has already settled as unresponsive.
    req.on('error', () =>
      resolve({ kind: 'other', detail: `nothing answers on port ${state.port}` }),
    );
  });
}

export interface Inspection {
  status: ListenerStatus;
  state: ListenerState | null;
  health: GatewayHealth | null;
}

export async function inspectListener(options: StatusOptions = {}): Promise<Inspection> {
  const dir = resolveStateDir(options.stateDir);
  const state = readState(dir);
  const base: ListenerStatus = {
    status: 'stopped',
    pid: null,
    port: null,
    url: null,
    mode: null,
    policy: null,
    artifact: null,
    uptime_s: null,
    counts: null,
    degraded: false,
    warnings: [],
    state_dir: dir,
  };
  if (!state) return { status: base, state: null, health: null };
  const recorded = {
    ...base,
    pid: state.pid,
    port: state.port,
    url: state.url,
    mode: state.mode,
    policy: state.policy,
    artifact: state.artifact,
  };
  const stale = (reason: string, clean: boolean): Inspection => {
    if (clean) clearState(dir, state.instance_id);
    return {
      status: { ...recorded, status: 'stale', reason, cleaned: clean },
      state,
      health: null,
    };
  };
  if (!isPidAlive(state.pid)) {
    return stale(`process ${state.pid} is no longer running (it crashed or was killed)`, true);
  }
  const probe = await probeListener(state, options.timeoutMs);
  if (probe.kind === 'ours') {
    const h = probe.health;
    return {
      status: {
        ...recorded,
        status: 'running',
        uptime_s: h.uptime_s,
        counts: h.counts,
        degraded: h.degraded,
        warnings: h.warnings ?? [],
        // Rotation moves on to new files: the listener knows which one is current.
        artifact: h.artifact ?? recorded.artifact,
      },
      state,
      health: h,
    };
  }
  if (probe.kind === 'other') {
    return stale(
      `pid ${state.pid} now belongs to another program (${probe.detail}); it was left alone`,
      true,
    );
  }
  // Alive and holding the connection open without answering: we cannot prove whose it is, so
  // neither trust it nor delete its state.
  return stale(
    `process ${state.pid} is alive but its health endpoint did not answer; if it is not a listener, delete ${dir}/listener.json`,
    false,
  );
}

export async function listenerStatus(options: StatusOptions = {}): Promise<ListenerStatus> {
  return (await inspectListener(options)).status;
}

/** POST /__replaykit/shutdown; resolves to the listener's close result, or null on failure. */
export function requestShutdown(state: ListenerState, timeoutMs: number): Promise<unknown | null> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { [CONTROL_TOKEN_HEADER]: state.control_token };
    if (state.token) headers[TOKEN_HEADER] = state.token;
    const req = http.request(
      `${state.url}/__replaykit/shutdown`,
      { method: 'POST', headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          try {
            resolve(res.statusCode === 200 ? JSON.parse(text) : null);
          } catch {
            resolve(null);
          }
        });
        res.on('error', () => resolve(null));
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve(null);
    });
    req.on('error', () => resolve(null));
    req.end();
  });
}
