/**
 * The transparent listener process (`listen transparent serve`, spawned by start): the passive
 * listener, unchanged, on a private loopback port, with the TLS front in front of it. The capture
 * sink is the passive one with `capture: "transparent"` in the header, so steps and redaction are
 * identical to passive mode.
 */
import { createListenerCapture } from '../listener/capture.ts';
import { type ForegroundRun, runForeground } from '../listener/foreground.ts';
import type { UpstreamProvider } from '../listener/options.ts';
import { createLeafIssuer } from './ca.ts';
import { transparentPaths } from './paths.ts';
import { createTlsFront, type TlsFront } from './tls-front.ts';

export interface ServeOptions {
  stateDir?: string;
  /** The TLS front's port on 127.0.0.1 (the redirect target). */
  port: number;
  out?: string;
  upstreams?: Partial<Record<UpstreamProvider, string>>;
  capture?: 'minimal' | 'full';
  log?: (line: string) => void;
  logFile?: string | null;
}

export async function serveTransparent(
  options: ServeOptions,
): Promise<ForegroundRun & { front: TlsFront }> {
  const paths = transparentPaths(options.stateDir);
  const issuer = createLeafIssuer(paths.dir);
  const run = await runForeground({
    stateDir: paths.listenerDir,
    host: '127.0.0.1',
    port: 0,
    ...(options.out ? { out: options.out } : {}),
    ...(options.upstreams ? { upstreams: options.upstreams } : {}),
    ...(options.capture ? { capture: options.capture } : {}),
    ...(options.log ? { log: options.log } : {}),
    logFile: options.logFile ?? null,
    createCapture: ({ artifact, options: o }) =>
      createListenerCapture({
        artifact,
        kind: 'transparent',
        redact: { capture: o.capture },
        responseSource: 'live',
        rotate: { sizeBytes: o.rotateSizeBytes, intervalMs: o.rotateIntervalMs },
        meta: { listener: { mode: 'transparent', policy: o.policy, upstreams: o.upstreams } },
      }),
  });
  let front: TlsFront;
  try {
    front = await createTlsFront({ issuer, gatewayPort: run.port, port: options.port });
  } catch (error) {
    // The gateway is up and published: take it down the way a signal would, then report.
    process.emit('SIGTERM', 'SIGTERM');
    await run.stopped;
    throw error;
  }
  void run.stopped.then(() => front.close());
  return { ...run, front };
}
