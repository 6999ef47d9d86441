/** Second-stage checks that keep the detectors from firing on ordinary text. */
import { MARKER_RE } from './marker.ts';

export const hasDigit = (s: string): boolean => /[0-9]/.test(s);

/** File names such as `icon@2x.png` are not addresses. */
const NOT_TLD = new Set(
  'png jpg jpeg gif svg webp ico js mjs cjs ts tsx jsx json css html md txt py rs go map lock'.split(
    ' ',
  ),
);

export function checkEmail(s: string): boolean {
  const tld = s.slice(s.lastIndexOf('.') + 1).toLowerCase();
  return !NOT_TLD.has(tld) && !s.startsWith('.');
}

/** North-American formatting without a `+`; anything international must start with `+`. */
const NANP = /^(?:1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}$/;

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
