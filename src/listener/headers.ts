/**
 * Header plumbing for a transparent hop: everything end-to-end passes unchanged (request ids,
 * rate-limit headers, `anthropic-beta`...), only hop-by-hop headers (RFC 9110 §7.6.1) and our own
 * `x-replaykit-*` headers stop here.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export const TOKEN_HEADER = 'x-replaykit-token';
export const CONTROL_TOKEN_HEADER = 'x-replaykit-control-token';

function dropped(name: string, connectionTokens: Set<string>): boolean {
  const lower = name.toLowerCase();
  return (
    HOP_BY_HOP.has(lower) ||
    connectionTokens.has(lower) ||
    lower === TOKEN_HEADER ||
    lower === CONTROL_TOKEN_HEADER
  );
}

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** Request headers for the upstream: `host` becomes the upstream's, the rest passes unchanged. */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  upstreamHost: string,
  extraDrop: (name: string) => boolean = () => false,
): OutgoingHttpHeaders {
  const tokens = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'host' || dropped(name, tokens) || extraDrop(name))
      continue;
    out[name] = value;
  }
  out.host = upstreamHost;
  return out;
}

/** Response headers for the client, from `rawHeaders` so case and repeats (set-cookie) survive. */
export function clientResponseHeaders(rawHeaders: string[]): string[] {
  const tokens = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'connection') {
      for (const t of connectionTokens(rawHeaders[i + 1])) tokens.add(t);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    if (!dropped(name, tokens)) out.push(name, rawHeaders[i + 1] ?? '');
  }
  return out;
}

/** Lower-cased, repeats joined with ", " as fetch does: the shape `RawRequest.headers` uses. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === TOKEN_HEADER || name === CONTROL_TOKEN_HEADER) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
