/** Second-stage checks that keep the detectors from firing on ordinary text (issue 23). */
import { crc32 } from 'node:zlib';
import { parse } from 'tldts';
import { MARKER_RE } from './marker.ts';

export const hasDigit = (s: string): boolean => /[0-9]/.test(s);

/** File names such as `icon@2x.png` are not addresses. */
const NOT_TLD = new Set(
  'png jpg jpeg gif svg webp ico js mjs cjs ts tsx jsx json css html md txt py rs go map lock'.split(
    ' ',
  ),
);

/**
 * A real address has a domain under a public suffix. The suffix list is the maintained one
 * (tldts ships the Public Suffix List): `the@agent.instructions` in a fetched web page is no
 * address, and a hand-written TLD list would go stale as new gTLDs appear. File names stay out
 * even where the extension is also a country code (`.py`, `.md`, `.rs`).
 */
export function checkEmail(s: string): boolean {
  if (s.startsWith('.')) return false;
  const domain = s.slice(s.lastIndexOf('@') + 1).toLowerCase();
  if (NOT_TLD.has(domain.slice(domain.lastIndexOf('.') + 1))) return false;
  const p = parse(domain);
  return p.isIcann === true && p.domain !== null && p.isIp !== true;
}

export function describeEmail(s: string): string {
  const p = parse(s.slice(s.lastIndexOf('@') + 1).toLowerCase());
  return `e-mail address at a .${p.publicSuffix} domain`;
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * GitHub's token format (2021): prefix, 30 random base62 characters, then the CRC32 of those 30
 * in base62, zero-padded to 6. A run of letters that only looks like a token fails the checksum.
 * Fine-grained `github_pat_` tokens publish no checksum: their exact shape is the check.
 */
export function checkGithubToken(s: string): boolean {
  if (s.startsWith('github_pat_')) return true;
  const body = s.slice(4);
  let v = crc32(body.slice(0, 30)) >>> 0;
  let sum = '';
  do {
    sum = B62[v % 62] + sum;
    v = Math.floor(v / 62);
  } while (v > 0);
  return sum.padStart(6, '0') === body.slice(30);
}

/** A JWT's first segment is a base64url JSON object (its header). */
export function checkJwt(s: string): boolean {
  try {
    const header = JSON.parse(Buffer.from(s.slice(0, s.indexOf('.')), 'base64url').toString());
    return typeof header === 'object' && header !== null && !Array.isArray(header);
  } catch {
    return false;
  }
}

/** North-American formatting without a `+`; anything international must start with `+`. */
const NANP = /^(?:1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}$/;

export function describePhone(s: string): string {
  if (!s.startsWith('+')) return 'North-American phone number';
  return `international phone number, ${s.replace(/\D/g, '').length} digits`;
}

export function checkPhone(s: string): boolean {
  const digits = s.replace(/\D/g, '').length;
  if (s.startsWith('+')) return digits >= 8 && digits <= 15 && !/[.]\d*[.]/.test(s);
  return NANP.test(s);
}

/** Issuer prefixes of the major networks: with Luhn, rules out most long numeric ids. */
const IIN = /^(?:4|5[1-5]|2[2-7]|3[47]|35|6(?:011|5|4[4-9]))/;

export function checkCard(s: string): boolean {
  const seps = new Set(s.replace(/\d/g, ''));
  if (seps.size > 1) return false;
  const digits = s.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19 || !IIN.test(digits)) return false;
  return luhn(digits);
}

const NETWORKS: [RegExp, string][] = [
  [/^4/, 'Visa'],
  [/^(?:5[1-5]|2[2-7])/, 'Mastercard'],
  [/^3[47]/, 'American Express'],
  [/^35/, 'JCB'],
  [/^6/, 'Discover'],
];

export function describeCard(s: string): string {
  const digits = s.replace(/\D/g, '');
  const network = NETWORKS.find(([re]) => re.test(digits))?.[1] ?? 'Payment';
  return `${network} card number, ${digits.length} digits, Luhn-valid`;
}

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** `"password": "${DB_PASSWORD}"` and already-redacted values are references, not secrets. */
export function plausibleAssignment(value: string): boolean {
  if (MARKER_RE.test(value) || value.startsWith('[REDACTED')) return false;
  if (/^(?:\$|\{\{|<|%|process\.env|os\.environ)/.test(value)) return false;
  return !/^(.)\1*$/.test(value);
}

/** Shorter than any credential a provider or a password policy issues. */
const MIN_CREDENTIAL = 6;
const PLACEHOLDER_WORD =
  /^(?:redacted|hidden|masked|removed|omitted|none|null|nil|undefined|n\/a|na|empty|placeholder|changeme|todo|xxx+|\*+|\.+|-+|true|false|yes|no|on|off)$/i;

const MASK_SUFFIX = /(?:[Xx]{4,}|\*{3,}|•{3,}|\.{3,}|…+)$/;
/** What may precede a hand-made mask: nothing, or the prefix a provider puts on its keys. */
const MASKED_PREFIX = /^(?:|sk-|sk-proj-|sk-ant-|github_pat_|ghp_)$/;

/**
 * Under a key that names a secret (`authorization`, `api_key`, ...) in a body, could this string
 * be a credential? Providers echo placeholders (`"authorization": "<redacted>"` in OpenAI's MCP
 * tool echo): rewriting one changes what the SDK sees in replay without protecting anything.
 * Headers never come here: every auth header value is redacted.
 */
export function plausibleCredential(value: string): boolean {
  const token = value.replace(/^(?:Bearer|Basic|Token|Bot|Digest|ApiKey|Key)\s+/i, '').trim();
  if (token.length < MIN_CREDENTIAL || /^\d+$/.test(token)) return false;
  if (PLACEHOLDER_WORD.test(token) || /^\[.*\]$|^<.*>$|^\(.*\)$/s.test(token)) return false;
  // Masked by hand: `github_pat_XXXX`, `sk-proj-****`, `sk-...` (js-genai's recorded MCP
  // requests carry `"AUTHORIZATION": "Bearer github_pat_XXXX"`). Only a bare key prefix before
  // the mask makes it one: `hunter2...` is a password that happens to end in dots.
  const mask = MASK_SUFFIX.exec(token);
  if (mask && MASKED_PREFIX.test(token.slice(0, mask.index))) return false;
  // References to where the secret lives, not the secret: `${VAR}`, `$VAR`, `{{ var }}`, `%VAR%`.
  if (
    /^\$\{.*\}$|^\$[A-Za-z_]\w*$|^\{\{.*\}\}$|^%\w+%$|^(?:process\.env|os\.environ)\b/s.test(token)
  ) {
    return false;
  }
  return !/^(.)\1*$/.test(token);
}
