/**
 * The stateless redaction primitives: text, JSON values, headers and URLs. `createRedactor`
 * binds them to one detector set; the stream redactor and `step()` build on them.
 */
import type { Finding } from './detectors.ts';
import { isSecretKey, isSecretQueryParam } from './keys.ts';
import { MARKER_RE, marker, redactCredential } from './marker.ts';
import { plausibleCredential } from './validators.ts';

export type Detect = (text: string) => Finding[];

export function scrubText(detect: Detect, s: string): string {
  if (s.length < 8) return s;
  const found = detect(s);
  if (found.length === 0) return s;
  let out = '';
  let at = 0;
  for (const f of found) {
    out += s.slice(at, f.start) + marker(s.slice(f.start, f.end));
    at = f.end;
  }
  return out + s.slice(at);
}

/** A deep copy with every string scrubbed and every value under a secret-naming key replaced. */
export function scrubValue(detect: Detect, v: unknown): unknown {
  if (typeof v === 'string') return scrubText(detect, v);
  if (Array.isArray(v)) return v.map((x) => scrubValue(detect, x));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[scrubText(detect, k)] = isSecretKey(k) ? secretValue(detect, x) : scrubValue(detect, x);
  }
  return out;
}

/**
 * A value under a key that names a secret, inside a body: redacted when it could be a credential,
 * kept when it cannot (empty, a placeholder such as `<redacted>`, a boolean, a number, too short),
 * so replay shows the SDK what the provider sent (issue 23). Headers keep the strict rule.
 */
function secretValue(detect: Detect, x: unknown): unknown {
  if (typeof x === 'string') {
    return plausibleCredential(x) ? redactCredential(x) : scrubText(detect, x);
  }
  return scrubValue(detect, x);
}

export function scrubHeaders(
  detect: Detect,
  headers: Record<string, string>,
  secretNames: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = secretNames.has(name.toLowerCase())
      ? redactCookieOrCredential(name, value)
      : scrubText(detect, value);
  }
  return out;
}

/** Cookie names stay (they help debugging); every value is a credential. */
function redactCookieOrCredential(name: string, value: string): string {
  const n = name.toLowerCase();
  if (n === 'cookie' || n === 'set-cookie') {
    return value.replace(/(^|;\s*|,\s*)([^=;,\s]+)=([^;,]*)/g, (all, sep, k, v) =>
      v === '' || MARKER_RE.test(v) ? all : `${sep}${k}=${marker(v)}`,
    );
  }
  return redactCredential(value);
}

/**
 * Path and query; parameters are scrubbed in place without re-encoding the rest, so a URL without
 * secrets comes back byte for byte.
 */
export function scrubUrl(detect: Detect, url: string): string {
  const hash = url.indexOf('#');
  const frag = hash === -1 ? '' : url.slice(hash);
  const rest = hash === -1 ? url : url.slice(0, hash);
  const q = rest.indexOf('?');
  const path = scrubText(detect, q === -1 ? rest : rest.slice(0, q));
  if (q === -1) return path + scrubText(detect, frag);
  const params = rest
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return scrubText(detect, pair);
      const name = pair.slice(0, eq);
      const raw = pair.slice(eq + 1);
      if (raw === '' || MARKER_RE.test(raw)) return pair;
      if (isSecretQueryParam(safeDecode(name))) return `${name}=${marker(safeDecode(raw))}`;
      const decoded = safeDecode(raw);
      const scrubbed = scrubText(detect, decoded);
      return scrubbed === decoded ? pair : `${name}=${scrubbed}`;
    });
  return `${path}?${params.join('&')}${scrubText(detect, frag)}`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
