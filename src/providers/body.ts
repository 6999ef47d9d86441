/**
 * Bodies are stored readable (schema: exactly one of `body`, `body_text`, `body_base64`): parsed
 * JSON where the content is JSON, text where it is text, base64 only for real binary payloads.
 */

const JSON_TYPE = /[/+]json\b/i;
const TEXT_TYPE = /^(?:text\/|application\/(?:x-www-form-urlencoded|xml|javascript))/i;
// Controls other than tab, LF and CR mean the payload is binary even when it decodes as UTF-8.
// biome-ignore lint/suspicious/noControlCharactersInRegex: this regex exists to find them.
const BINARY_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

export interface DecodedBody {
  body?: unknown;
  body_text?: string;
  body_base64?: string;
}

export function decodeBody(bytes: Uint8Array | null, contentType?: string): DecodedBody {
  if (bytes === null || bytes.byteLength === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { body_base64: Buffer.from(bytes).toString('base64') };
  }
  if (BINARY_CONTROL.test(text)) return { body_base64: Buffer.from(bytes).toString('base64') };
  const type = contentType ?? '';
  const jsonish =
    JSON_TYPE.test(type) || (!TEXT_TYPE.test(type) && /^\s*[[{]/.test(text)) || type === '';
  if (jsonish) {
    try {
      return { body: JSON.parse(text) };
    } catch {
      // Falls through: a body that claims JSON but does not parse is kept as the text it was.
    }
  }
  return { body_text: text };
}

/** Inverse of decodeBody for replay: the bytes to send for a stored body. */
export function encodeBody(stored: DecodedBody): Uint8Array | null {
  if (stored.body_base64 !== undefined) return Buffer.from(stored.body_base64, 'base64');
  if (stored.body_text !== undefined) return Buffer.from(stored.body_text, 'utf8');
  if (stored.body !== undefined) return Buffer.from(JSON.stringify(stored.body), 'utf8');
  return null;
}
