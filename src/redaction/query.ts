/**
 * Credentials in query strings inside free text (error messages, log lines): Gemini takes its key
 * as `?key=`, and a message that names the URL it failed on must not carry it. Used by
 * `formatMessage`, the one place every user-facing message passes through.
 */
import { isSecretQueryParam } from './keys.ts';
import { MARKER_RE, marker } from './marker.ts';

const PARAM_RE = /([?&])([^=&\s"'#?]+)=([^&\s"'#<>)\]]*)/g;

export function maskQueryCredentials(text: string): string {
  return text.replace(PARAM_RE, (all, sep: string, name: string, value: string) => {
    if (value === '' || MARKER_RE.test(value) || !isSecretQueryParam(safeDecode(name))) return all;
    return `${sep}${name}=${marker(safeDecode(value))}`;
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
