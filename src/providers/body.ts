/**
 * Bodies are stored readable (schema: exactly one of `body`, `body_text`, `body_base64`,
 * `body_multipart`): parsed JSON where the content is JSON, text where it is text, a multipart
 * body part by part, base64 only for real binary payloads.
 */
import type { MultipartBody } from '../cassette/schema.ts';
import { encodeMultipart, parseMultipart } from './multipart.ts';

const JSON_TYPE = /[/+]json\b/i;
const TEXT_TYPE = /^(?:text\/|application\/(?:x-www-form-urlencoded|xml|javascript))/i;
// Controls other than tab, LF and CR mean the payload is binary even when it decodes as UTF-8.
// biome-ignore lint/suspicious/noControlCharactersInRegex: this regex exists to find them.
const BINARY_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

export interface DecodedBody {
  body?: unknown;
  body_text?: string;
  body_base64?: string;
  body_multipart?: MultipartBody;
  body_indent?: number;
  body_newline?: true;
  body_raw?: string;
}

export type BodyLayout = Pick<DecodedBody, 'body_indent' | 'body_newline' | 'body_raw'>;

/**
 * What it takes to give a parsed JSON body's exact text back (issue 14 item 2): nothing when it
 * was compact, an indent (and final newline) when it was pretty-printed, else the text itself.
 */
export function bodyLayout(body: unknown, text: string): BodyLayout {
  const compact = JSON.stringify(body);
  if (compact === text) return {};
  const newline = text.endsWith('\n') ? ({ body_newline: true } as const) : {};
  const core = newline.body_newline ? text.slice(0, -1) : text;
  if (compact === core) return newline;
  const indent = /^[[{]\n( +)/.exec(core)?.[1]?.length;
  if (indent && JSON.stringify(body, null, indent) === core)
    return { body_indent: indent, ...newline };
  return { body_raw: text };
}

export interface DecodeOptions {
  /**
   * Opaque exchanges are replayed byte for byte: JSON is kept parsed only when serialising it
   * again gives the same bytes (no pretty-printing, no `1.0`), else it is kept as its text.
   */
  exact?: boolean;
}

export function decodeBody(
  bytes: Uint8Array | null,
  contentType?: string,
  options: DecodeOptions = {},
): DecodedBody {
  if (bytes === null || bytes.byteLength === 0) return {};
  const multipart = parseMultipart(bytes, contentType);
  if (multipart) return { body_multipart: multipart };
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
      const body: unknown = JSON.parse(text);
      if (!options.exact || JSON.stringify(body) === text) return { body };
    } catch {
      // Falls through: a body that claims JSON but does not parse is kept as the text it was.
    }
  }
  return { body_text: text };
}

/** Inverse of decodeBody for replay: the bytes to send for a stored body. */
export function encodeBody(stored: DecodedBody): Buffer | null {
  if (stored.body_base64 !== undefined) return Buffer.from(stored.body_base64, 'base64');
  if (stored.body_multipart !== undefined) return encodeMultipart(stored.body_multipart);
  if (stored.body_text !== undefined) return Buffer.from(stored.body_text, 'utf8');
  if (stored.body !== undefined) {
    if (stored.body_raw !== undefined) return Buffer.from(stored.body_raw, 'utf8');
    const text = JSON.stringify(stored.body, null, stored.body_indent);
    return Buffer.from(stored.body_newline ? `${text}\n` : text, 'utf8');
  }
  return null;
}

/** The stored body of a step (a request decoded at the front door), to pass along as it is. */
export function decodedOf(step: DecodedBody): DecodedBody {
  const out: DecodedBody = {};
  for (const key of BODY_KEYS)
    if (step[key] !== undefined) (out as Record<string, unknown>)[key] = step[key];
  return out;
}

const BODY_KEYS = [
  'body',
  'body_text',
  'body_base64',
  'body_multipart',
  'body_indent',
  'body_newline',
  'body_raw',
] as const;
