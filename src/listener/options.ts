/**
 * Listener options: the one place that applies defaults and validates them, shared by the CLI,
 * `startListener` (in the parent, so mistakes surface before anything is spawned) and the
 * foreground process.
 */

import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { assertModeAllowed } from '../capture/mode.ts';
import { UsageError } from '../errors.ts';
import { validateMcpUpstream } from '../mcp/upstreams.ts';
import { defaultUpstreams, PROVIDER_NAMES, type ProviderName } from '../providers/index.ts';
import { CAPTURE_FULL_WARNING } from '../redaction/index.ts';
import { Chaos, type ChaosOptions, parseChaos } from '../replay/chaos.ts';
import {
  LISTENER_MODES,
  LISTENER_POLICIES,
  type ListenerMode,
  type ListenerPolicy,
  resolveStateDir,
} from './state.ts';
import { SYNTHETIC_WARNING } from './synthetic.ts';

/** Every provider module's name; `--upstream NAME=URL` takes them. */
export const UPSTREAM_PROVIDERS: readonly ProviderName[] = PROVIDER_NAMES;
/** A provider module's name, or `compat:NAME` for one OpenAI-compatible server. */
export type UpstreamProvider = ProviderName | `compat:${string}`;

const COMPAT = /^compat:[a-z0-9][a-z0-9._-]*$/i;
const isUpstreamKey = (key: string): key is UpstreamProvider =>
  (UPSTREAM_PROVIDERS as readonly string[]).includes(key) || COMPAT.test(key);
const UPSTREAM_KEYS = `${UPSTREAM_PROVIDERS.filter((p) => p !== 'openai-compatible').join(', ')}, compat:NAME`;

/** Each provider module's public API base URL. */
export const DEFAULT_UPSTREAMS: Readonly<Record<string, string>> = defaultUpstreams();

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
  /** Required by `mode: 'replay'` and `mode: 'update'`. */
  cassette?: string;
  /** `mode: 'replay'`: chaos replay, `seed=N,chunking=...` or the options (replay/chaos.ts). */
  chaos?: string | ChaosOptions;
  /** `mode: 'replay'`: JSON paths left out of matching, as `record()`'s `ignorePaths`. */
  ignorePaths?: string[];
  /** Per-provider upstream base URLs (origin, optionally with a base path). */
  upstreams?: Partial<Record<UpstreamProvider, string>>;
  /** Streamable-HTTP MCP servers by name (`--upstream mcp.NAME=URL`, src/mcp/upstreams.ts). */
  mcpUpstreams?: Record<string, string>;
  policy?: ListenerPolicy;
  failOnSynthetic?: boolean;
  allowRemote?: boolean;
  /** Client token (`x-replaykit-token`); default `REPLAYKIT_LISTENER_TOKEN`. */
  token?: string;
  /** State directory; default `REPLAYKIT_HOME`, else `~/.replaykit`. */
  stateDir?: string;
  /** `full` keeps bodies unminimised (secrets are still redacted). Default `minimal`. */
  capture?: 'minimal' | 'full';
  /** Rotate the artifact once it holds this many bytes (`10MB`, `512k` or a number). */
  rotateSize?: number | string | null;
  /** Rotate the artifact once it is this old (`1h`, `30m`, `45s` or milliseconds). */
  rotateInterval?: number | string | null;
  /** Upstream timeout: no response head, or no body byte, for this long. Default `10m`. */
  timeout?: number | string;
  /** Extra attempts on an upstream fault before the client got a byte. Default 0. */
  retries?: number;
  /** First retry backoff, doubled each time. Default `250ms`. */
  retryBackoff?: number | string;
}

export interface ResolvedListenOptions {
  port: number;
  host: string;
  out: string;
  mode: ListenerMode;
  cassette: string | null;
  chaos: ChaosOptions | null;
  ignorePaths: string[];
  /** By provider name or `compat:NAME`. */
  upstreams: Record<string, string>;
  mcpUpstreams: Record<string, string>;
  policy: ListenerPolicy;
  failOnSynthetic: boolean;
  allowRemote: boolean;
  token: string | null;
  stateDir: string;
  capture: 'minimal' | 'full';
  rotateSizeBytes: number | null;
  rotateIntervalMs: number | null;
  timeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  /** Loud notes for the start output, status and the run header. */
  warnings: string[];
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
  const servesCassette = mode === 'replay' || mode === 'update';
  if (servesCassette && !options.cassette) {
    throw new UsageError(`--mode ${mode} needs --cassette FILE: the cassette to serve.`);
  }
  if (options.cassette && !servesCassette) {
    throw new UsageError('--cassette only applies to --mode replay and --mode update.');
  }
  if (options.ignorePaths?.length && !servesCassette) {
    throw new UsageError('--ignore-path only applies to --mode replay and --mode update.');
  }
  if (options.chaos !== undefined && mode !== 'replay') {
    throw new UsageError('--chaos only applies to --mode replay.');
  }
  if (options.cassette)
    assertModeAllowed(mode === 'update' ? 'update' : 'replay', options.cassette, env);
  const chaos =
    options.chaos === undefined
      ? null
      : typeof options.chaos === 'string'
        ? parseChaos(options.chaos)
        : new Chaos(options.chaos).options;
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
  const upstreams: Record<string, string> = { ...DEFAULT_UPSTREAMS };
  for (const [provider, url] of Object.entries(options.upstreams ?? {})) {
    if (!isUpstreamKey(provider)) {
      throw new UsageError(
        `Unknown provider "${provider}" in --upstream: expected one of ${UPSTREAM_KEYS}.`,
      );
    }
    if (url !== undefined) upstreams[provider] = validateUpstream(provider, url);
  }
  const capture = options.capture ?? 'minimal';
  if (capture !== 'minimal' && capture !== 'full') {
    throw new UsageError(`Invalid --capture "${capture}": expected minimal or full.`);
  }
  const retries = options.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw new UsageError(`Invalid --retries "${retries}": expected an integer from 0 to 10.`);
  }
  const warnings: string[] = [];
  if (mode === 'synthetic') warnings.push(SYNTHETIC_WARNING);
  if (capture === 'full') warnings.push(CAPTURE_FULL_WARNING);
  return {
    capture,
    rotateSizeBytes: optional(options.rotateSize, (v) => parseSize(v, '--rotate-size')),
    rotateIntervalMs: optional(options.rotateInterval, (v) =>
      parseDuration(v, '--rotate-interval'),
    ),
    timeoutMs: parseDuration(options.timeout ?? '10m', '--timeout'),
    retries,
    retryBackoffMs: parseDuration(options.retryBackoff ?? '250ms', '--retry-backoff'),
    warnings,
    port,
    host,
    out: resolve(options.out ?? '.replaykit/recordings'),
    mode,
    cassette: options.cassette ? resolve(options.cassette) : null,
    chaos,
    ignorePaths: options.ignorePaths ?? [],
    upstreams,
    mcpUpstreams: Object.fromEntries(
      Object.entries(options.mcpUpstreams ?? {}).map(([n, u]) => [n, validateMcpUpstream(n, u)]),
    ),
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
    const provider = value.slice(0, eq);
    if (!isUpstreamKey(provider)) {
      throw new UsageError(
        `Unknown provider "${provider}" in --upstream: expected one of ${UPSTREAM_KEYS}.`,
      );
    }
    out[provider] = value.slice(eq + 1);
  }
  return out;
}

function optional<T>(value: T | null | undefined, parse: (v: T) => number): number | null {
  return value === undefined || value === null || value === '' ? null : parse(value);
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/** `10MB`, `512k`, `1048576` → bytes. */
export function parseSize(value: number | string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(String(value).trim());
  const unit = m ? SIZE_UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new UsageError(
      `Invalid ${flag} "${value}": expected a size such as 10MB, 512k or 1048576.`,
    );
  }
  return Math.round(Number(m[1]) * unit);
}

const DURATION_UNITS: Record<string, number> = {
  '': 1,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `250ms`, `30s`, `10m`, `1h`, `7d`, `5000` → milliseconds. */
export function parseDuration(value: number | string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(String(value).trim());
  const unit = m ? DURATION_UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new UsageError(
      `Invalid ${flag} "${value}": expected a duration such as 250ms, 30s, 10m, 1h or 7d.`,
    );
  }
  return Math.round(Number(m[1]) * unit);
}
