/**
 * The listener process itself (`listen start --foreground`, which the detached spawn also runs):
 * starts the gateway, publishes the state file, and on shutdown (HTTP or signal) drains, seals
 * and removes its own state, so a clean exit always leaves `listen status` saying "stopped".
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cliName } from '../cli-name.ts';
import { ExitCode, formatMessage, ReplayKitError } from '../errors.ts';
import { describeUpdate } from '../replay/update-cassette.ts';
import { createListenerCapture } from './capture.ts';
import type { CaptureSink } from './capture-hooks.ts';
import { createGateway, type GatewayCloseResult } from './gateway.ts';
import { type ListenOptions, type ResolvedListenOptions, resolveListenOptions } from './options.ts';
import { clearState, writeState } from './state.ts';
import { inspectListener } from './status.ts';

export interface ForegroundOptions extends ListenOptions {
  /** Builds the capture sink for this run; default: redacted capture into the artifact. */
  createCapture?: (run: { artifact: string; options: ResolvedListenOptions }) => CaptureSink;
  /** Where progress lines go (the log file when spawned). Default stderr. */
  log?: (line: string) => void;
  /** Set by the detached spawn: the log file, recorded in the state file. */
  logFile?: string | null;
}

export interface ForegroundRun {
  url: string;
  pid: number;
  port: number;
  instance_id: string;
  artifact: string;
  warnings: string[];
  /** Settles once the listener has stopped and removed its state. */
  stopped: Promise<GatewayCloseResult>;
}

function defaultCapture(run: { artifact: string; options: ResolvedListenOptions }): CaptureSink {
  const { mode, policy, upstreams, mcpUpstreams, warnings, cassette, capture } = run.options;
  return createListenerCapture({
    artifact: run.artifact,
    redact: { capture },
    // Update mode's new turns are live; the ones it serves are marked `replay` each.
    responseSource: mode === 'live' || mode === 'update' ? 'live' : mode,
    rotate: { sizeBytes: run.options.rotateSizeBytes, intervalMs: run.options.rotateIntervalMs },
    meta: {
      listener: {
        mode,
        policy,
        upstreams,
        ...(Object.keys(mcpUpstreams).length > 0 ? { mcp_upstreams: mcpUpstreams } : {}),
        ...(cassette ? { cassette } : {}),
        warnings,
      },
    },
  });
}

export function artifactPath(out: string, now = new Date(), id = randomBytes(3).toString('hex')) {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return join(out, `listen-${stamp}-${id}.rpk`);
}

export async function runForeground(input: ForegroundOptions = {}): Promise<ForegroundRun> {
  const options = resolveListenOptions(input);
  const log = input.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const existing = await inspectListener({ stateDir: options.stateDir });
  if (existing.status.status === 'running' && existing.state?.pid !== process.pid) {
    throw alreadyRunning(existing.status.url ?? '', existing.status.pid ?? 0);
  }
  const instanceId = randomUUID();
  const controlToken = randomBytes(24).toString('hex');
  const artifact = artifactPath(options.out);
  const capture = (input.createCapture ?? defaultCapture)({ artifact, options });

  let finish!: (result: GatewayCloseResult) => void;
  const stopped = new Promise<GatewayCloseResult>((resolve) => {
    finish = resolve;
  });
  let gateway: Awaited<ReturnType<typeof createGateway>>;
  try {
    gateway = await createGateway({
      host: options.host,
      port: options.port,
      mode: options.mode,
      policy: options.policy,
      upstreams: options.upstreams,
      mcpUpstreams: options.mcpUpstreams,
      token: options.token,
      controlToken,
      instanceId,
      capture,
      artifact,
      cassette: options.cassette,
      chaos: options.chaos,
      ignorePaths: options.ignorePaths,
      failOnSynthetic: options.failOnSynthetic,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      retryBackoffMs: options.retryBackoffMs,
      warnings: options.warnings,
      onShutdown: (result) => done(result),
      onCaptureFault: (error, hook) =>
        log(`capture fault in ${hook}: ${error instanceof Error ? error.message : String(error)}`),
    });
  } catch (error) {
    // Nothing was served: leave no empty cassette behind.
    await capture.close().catch(() => {});
    rmSync(artifact, { force: true });
    throw error;
  }

  let ended = false;
  const done = (result: GatewayCloseResult) => {
    if (ended) return;
    ended = true;
    clearState(options.stateDir, instanceId);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    log(`stopped; artifacts: ${result.artifacts.join(', ') || '(none)'}`);
    if (result.update && options.cassette) {
      log(formatMessage(describeUpdate(options.cassette, result.update)));
    }
    finish(result);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`received ${signal}: draining`);
    void gateway.close().then(done);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);

  writeState(options.stateDir, {
    version: 1,
    pid: process.pid,
    instance_id: instanceId,
    control_token: controlToken,
    token: options.token,
    host: options.host,
    port: gateway.port,
    url: gateway.url,
    mode: options.mode,
    policy: options.policy,
    fail_on_synthetic: options.failOnSynthetic,
    artifact,
    upstreams: options.upstreams,
    started_at: new Date().toISOString(),
    log: input.logFile ?? null,
  });
  log(
    `listening on ${gateway.url} (pid ${process.pid}, mode ${options.mode}); artifact ${artifact}`,
  );
  for (const warning of options.warnings) log(`WARNING: ${warning}`);
  return {
    url: gateway.url,
    pid: process.pid,
    port: gateway.port,
    instance_id: instanceId,
    artifact,
    warnings: options.warnings,
    stopped,
  };
}

// SIGHUP does not exist on Windows; Node simply never emits it there.
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function alreadyRunning(url: string, pid: number): ReplayKitError {
  return new ReplayKitError(
    'E_ALREADY_RUNNING',
    `Failed to start the listener: one is already running at ${url} (pid ${pid}). Stop it with "${cliName()} listen stop", or set REPLAYKIT_HOME to run a second one with its own state.`,
    { exitCode: ExitCode.environment },
  );
}
