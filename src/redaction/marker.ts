import { createHash } from 'node:crypto';

/**
 * The first 6 hex of sha256(secret): deterministic across runs, so a recorded request and a live
 * one carrying the same key still match, and two different keys stay distinguishable when
 * debugging. Six hex digits reveal nothing useful about a secret of 20+ random characters.
 */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 6);
}

export function marker(secret: string): string {
  return `[REDACTED:${fingerprint(secret)}]`;
}

/** A marker never contains secret material, so a value that already is one needs no work. */
export const MARKER_RE = /^\[REDACTED:[0-9a-f]{6}\]$/;

const SCHEME_RE = /^(Bearer|Basic|Token|Bot|Digest|ApiKey|Key)(\s+)(\S[\s\S]*)$/i;

/** `Bearer sk-...` becomes `Bearer [REDACTED:3f9a1c]`: the scheme helps debugging, the key never. */
export function redactCredential(value: string): string {
  if (value === '' || MARKER_RE.test(value)) return value;
  const m = SCHEME_RE.exec(value);
  if (m && !MARKER_RE.test(m[3]!)) return `${m[1]}${m[2]}${marker(m[3]!)}`;
  if (m) return value;
  return marker(value);
}
