/**
 * `listen stop`: ask the listener to drain and seal over HTTP (the only graceful stop that works
 * the same on Windows, where a detached process cannot be sent SIGTERM), then make sure the
 * process is gone. Only a listener whose identity was just proven is ever killed.
 */

import { ExitCode, ReplayKitError } from '../errors.ts';
import type { UpdateReport } from '../replay/update-cassette.ts';
import type { GatewayCloseResult } from './gateway.ts';
import type { GatewayCounts } from './gateway-context.ts';
import { clearState, resolveStateDir } from './state.ts';
import { inspectListener, isPidAlive, requestShutdown } from './status.ts';

export interface StopOptions {
  stateDir?: string;
  /** How long the listener may drain in-flight streams before it cuts them. Default 10 s. */
  timeoutMs?: number;
}

export interface StopResult {
  /** What `stop` found: a running listener it stopped, stale state it cleaned, or nothing. */
  was: 'running' | 'stale' | 'stopped';
  status: 'stopped';
  pid: number | null;
  url: string | null;
  artifacts: string[];
  counts: GatewayCounts | null;
  /** In-flight exchanges cut at the drain timeout. */
  interrupted: number;
  /** The process had to be killed: it did not exit after the graceful shutdown. */
  forced: boolean;
  /** The run used `--fail-on-synthetic` and served synthetic responses: a failure. */
  synthetic_failure: boolean;
  message: string;
  /** `--mode update`: what changed in the cassette. */
  update?: UpdateReport;
}

export async function stopListener(options: StopOptions = {}): Promise<StopResult> {
  const dir = resolveStateDir(options.stateDir);
  const { status, state } = await inspectListener({ stateDir: dir });
  const idle = {
    status: 'stopped' as const,
    pid: status.pid,
    url: status.url,
    artifacts: [],
    counts: null,
    interrupted: 0,
    forced: false,
    synthetic_failure: false,
  };
  if (status.status === 'stopped' || !state) {
    return { ...idle, was: 'stopped', message: 'No listener was running.' };
  }
  if (status.status === 'stale') {
    if (!status.cleaned) {
      throw new ReplayKitError(
        'E_LISTENER_UNRESPONSIVE',
        `Failed to stop the listener: ${status.reason}.`,
        { exitCode: ExitCode.environment },
      );
    }
    return {
      ...idle,
      was: 'stale',
      message: `No listener was running; removed stale state (${status.reason}).`,
    };
  }

  const drainMs = options.timeoutMs ?? 10_000;
  // The listener answers only after draining and sealing: allow the drain plus sealing time.
  const result = (await requestShutdown(state, drainMs + 10_000)) as GatewayCloseResult | null;
  let forced = false;
  if (!(await waitForExit(state.pid, result ? 5_000 : 0))) {
    process.kill(state.pid, 'SIGKILL'); // TerminateProcess on Windows
    forced = true;
    await waitForExit(state.pid, 5_000);
  }
  clearState(dir, state.instance_id);
  const counts = result?.counts ?? status.counts;
  const artifacts = result?.artifacts ?? [];
  return {
    was: 'running',
    status: 'stopped',
    pid: state.pid,
    url: state.url,
    artifacts,
    counts,
    interrupted: result?.interrupted ?? 0,
    forced,
    synthetic_failure: state.fail_on_synthetic && (counts?.synthetic ?? 0) > 0,
    ...(result?.update ? { update: result.update } : {}),
    message: forced
      ? `Stopped the listener at ${state.url} (pid ${state.pid}) by force: it did not shut down cleanly.`
      : `Stopped the listener at ${state.url} (pid ${state.pid}).`,
  };
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isPidAlive(pid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
