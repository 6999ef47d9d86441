/**
 * Header minimisation: a per-provider allowlist (the provider modules' hints) keeps what replay and debugging need, and agent
 * headers that carry workspace paths or machine ids keep their shape with the values hashed.
 * Pure, so live requests can be minimised the same way before matching.
 */
import { createHash } from 'node:crypto';
import { PROVIDERS, providerModule } from '../providers/registry.ts';

const COMMON = [
  /^content-type$/,
  /^accept$/,
  /^user-agent$/,
  /^authorization$/,
  /^proxy-authorization$/,
  /^x-api-key$/,
  /^api-key$/,
  /^x-goog-api-key$/,
  /^retry-after(-ms)?$/,
  /^x-should-retry$/,
  /^idempotency-key$/,
  /^x-stainless-/,
  /^x-request-id$/,
  /^request-id$/,
  /^upgrade$/,
  /^sec-websocket-protocol$/,
];
/**
 * Per provider, the module's `redaction.keepHeaders`; a provider we have no module for keeps what
 * any module would. Never kept: bodies are stored decoded, so `content-encoding`/`content-length`
 * would lie on replay; cookies, `date`, `server`, CDN and tracing headers serve neither replay nor
 * debugging.
 */
const ANY_PROVIDER = PROVIDERS.flatMap((m) => m.redaction.keepHeaders);

export function minimizeHeaders(
  provider: string,
  headers: Record<string, string>,
): Record<string, string> {
  const own = providerModule(provider)?.redaction.keepHeaders ?? ANY_PROVIDER;
  const allow = [...COMMON, ...own];
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    if (!allow.some((re) => re.test(n))) continue;
    out[name] = /^x-(codex|claude-code)-/.test(n) ? minimizeAgentHeader(value) : value;
  }
  return out;
}

const WORKSPACE_KEY = /cwd|path|dir|root|workspace|repo|installation|remote|branch|git|host|user/i;
const ABS_PATH = /^(?:\/|~\/|[A-Za-z]:[\\/]|\\\\)/;

const hash = (s: string, kind: string) =>
  `[${kind}:${createHash('sha256').update(s).digest('hex').slice(0, 6)}]`;

/**
 * `x-codex-turn-metadata` is JSON with the workspace's absolute paths and the installation id:
 * those become `[PATH:…]` / `[HASH:…]` (deterministic, so equal paths stay equal). Non-JSON
 * values that are absolute paths are hashed whole.
 */
export function minimizeAgentHeader(value: string): string {
  const t = value.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.stringify(walk(JSON.parse(t), false));
    } catch {
      // Not JSON after all: fall through to the plain-value rule.
    }
  }
  return ABS_PATH.test(t) ? hash(t, 'PATH') : value;
}

function walk(v: unknown, sensitive: boolean): unknown {
  if (typeof v === 'string') {
    if (ABS_PATH.test(v)) return hash(v, 'PATH');
    return sensitive ? hash(v, 'HASH') : v;
  }
  if (Array.isArray(v)) return v.map((x) => walk(x, sensitive));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, walk(x, sensitive || WORKSPACE_KEY.test(k))]),
  );
}
