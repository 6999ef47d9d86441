/**
 * Listener options: the one place that applies defaults and validates them, shared by the CLI,
 * `startListener` (in the parent, so mistakes surface before anything is spawned) and the
 * foreground process.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { ReplayKitError, UsageError } from '../errors.ts';
import {
  LISTENER_MODES,
  LISTENER_POLICIES,
  type ListenerMode,
  type ListenerPolicy,
  resolveStateDir,
} from './state.ts';

export const UPSTREAM_PROVIDERS = ['openai', 'anthropic', 'gemini'] as const;
export type UpstreamProvider = (typeof UPSTREAM_PROVIDERS)[number];

export const DEFAULT_UPSTREAMS: Record<UpstreamProvider, string> = {
  openai: 'https://api.openai.com',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
};

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8790;

export interface ListenOptions {
  /** 0 picks a free port. Default 8790. */
  port?: number;
  /** Default 127.0.0.1. Anything not loopback needs `allowRemote` and a token. */
  host?: string;
  /** Directory for the artifacts (.rpk). Default `./.replaykit/recordings`. */
  out?: string;
  mode?: ListenerMode;
  /** Required by `mode: 'replay'`. */
  cassette?: string;
  /** Per-provider upstream base URLs (origin, optionally with a base path). */
  upstreams?: Partial<Record<UpstreamProvider, string>>;
  policy?: ListenerPolicy;
  failOnSynthetic?: boolean;
  allowRemote?: boolean;
  /** Client token (`x-replaykit-token`); default `REPLAYKIT_LISTENER_TOKEN`. */
  token?: string;
  /** State directory; default `REPLAYKIT_HOME`, else `~/.replaykit`. */
  stateDir?: string;
}

export interface ResolvedListenOptions {
  port: number;
  host: string;
  out: string;
  mode: ListenerMode;
  cassette: string | null;
  upstreams: Record<UpstreamProvider, string>;
  policy: ListenerPolicy;
  failOnSynthetic: boolean;
  allowRemote: boolean;
  token: string | null;
  stateDir: string;
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

export function resolveListenOptions(
  options: ListenOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedListenOptions {
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Invalid --port "${port}": expected an integer from 0 to 65535.`);
  }
  const mode = options.mode ?? 'live';
  if (!LISTENER_MODES.includes(mode)) {
    throw new UsageError(`Invalid --mode "${mode}": expected one of ${LISTENER_MODES.join(', ')}.`);
  }
  const policy = options.policy ?? 'live_only';
  if (!LISTENER_POLICIES.includes(policy)) {
    throw new UsageError(
      `Invalid --policy "${policy}": expected one of ${LISTENER_POLICIES.join(', ')}.`,
    );
  }
  if (mode === 'replay' && !options.cassette) {
    throw new UsageError('--mode replay needs --cassette FILE: the cassette to serve.');
  }
  if (options.cassette && mode !== 'replay') {
    throw new UsageError('--cassette only applies to --mode replay.');
  }
  const host = options.host ?? DEFAULT_HOST;
  const token = options.token || env.REPLAYKIT_LISTENER_TOKEN || null;
  if (!isLoopbackHost(host)) {
    if (!options.allowRemote) {
      throw new UsageError(
        `Refusing to bind to non-loopback host "${host}": anyone on the network could use your provider keys through it. Pass --allow-remote and a --token (or REPLAYKIT_LISTENER_TOKEN) to allow it.`,
      );
    }
    if (!token) {
      throw new UsageError(
        `Binding to "${host}" needs a token: pass --token or set REPLAYKIT_LISTENER_TOKEN; clients then send it as the x-replaykit-token header.`,
      );
    }
  }
  const upstreams = { ...DEFAULT_UPSTREAMS };
  for (const [provider, url] of Object.entries(options.upstreams ?? {})) {
    if (!UPSTREAM_PROVIDERS.includes(provider as UpstreamProvider)) {
      throw new UsageError(
        `Unknown provider "${provider}" in --upstream: expected one of ${UPSTREAM_PROVIDERS.join(', ')}.`,
      );
    }
    if (url !== undefined)
      upstreams[provider as UpstreamProvider] = validateUpstream(provider, url);
  }
  return {
    port,
    host,
    out: resolve(options.out ?? '.replaykit/recordings'),
    mode,
    cassette: options.cassette ? resolve(options.cassette) : null,
    upstreams,
    policy,
    failOnSynthetic: options.failOnSynthetic ?? false,
    allowRemote: options.allowRemote ?? false,
    token,
    stateDir: resolveStateDir(options.stateDir, env),
  };
}

function validateUpstream(provider: string, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`Invalid --upstream ${provider}="${url}": not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(
      `Invalid --upstream ${provider}="${url}": use http:// or https:// (WebSocket upstreams are derived from it).`,
    );
  }
  return url.replace(/\/+$/, '');
}

/** Parses repeated `--upstream provider=URL` values. */
export function parseUpstreamArgs(values: string[]): Partial<Record<UpstreamProvider, string>> {
  const out: Partial<Record<UpstreamProvider, string>> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(
        `Invalid --upstream "${value}": expected provider=URL, e.g. openai=http://127.0.0.1:9000.`,
      );
    }
    const provider = value.slice(0, eq) as UpstreamProvider;
    if (!UPSTREAM_PROVIDERS.includes(provider)) {
      throw new UsageError(
        `Unknown provider "${provider}" in --upstream: expected one of ${UPSTREAM_PROVIDERS.join(', ')}.`,
      );
    }
    out[provider] = value.slice(eq + 1);
  }
  return out;
}

/** Modes whose gateway behaviour lands in a later release: accepted, validated, then refused. */
export function assertModeImplemented(mode: ListenerMode): void {
  if (mode === 'live') return;
  throw new ReplayKitError(
    'E_NOT_IMPLEMENTED',
    `Failed to start the listener: --mode ${mode} is not implemented yet. Use --mode live (the default) for now.`,
    { exitCode: 2 },
  );
}
