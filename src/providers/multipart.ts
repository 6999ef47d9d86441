/**
 * `multipart/form-data` bodies (file uploads, audio for transcription) stored part by part, so
 * the text fields stay readable and only a binary part is base64. A body is split only when its
 * parts rebuild it byte for byte (`encodeMultipart`); any other shape is stored whole.
 *
 * @note Hand-written rather than busboy or similar: those parsers decode parts into fields and
 * files and drop the exact header lines and framing, and byte-exact rebuilding is the point here.
 */
import type { MultipartBody, MultipartPart } from '../cassette/schema.ts';

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
// biome-ignore lint/suspicious/noControlCharactersInRegex: this regex exists to find them.
const BINARY_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The `boundary` parameter of a multipart content type, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return null;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

/** Readable text where it is text, base64 where it is binary. */
function partBody(bytes: Uint8Array): Pick<MultipartPart, 'body_text' | 'body_base64'> {
  if (bytes.length === 0) return { body_text: '' };
  try {
    const text = utf8.decode(bytes);
    if (!BINARY_CONTROL.test(text)) return { body_text: text };
  } catch {
    // Not UTF-8: binary.
  }
  return { body_base64: Buffer.from(bytes).toString('base64') };
}

/** The parts of a multipart body, or null when they would not rebuild it byte for byte. */
export function parseMultipart(
  bytes: Uint8Array,
  contentType: string | undefined,
): MultipartBody | null {
  const boundary = boundaryOf(contentType);
  if (!boundary) return null;
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.concat([CRLF, delimiter]);
  if (!body.subarray(0, delimiter.length).equals(delimiter)) return null;
  let pos = delimiter.length;
  const parts: MultipartPart[] = [];
  try {
    for (;;) {
      if (body.subarray(pos, pos + 2).toString('latin1') === '--') break;
      if (!body.subarray(pos, pos + 2).equals(CRLF)) return null;
      pos += 2;
      let headers: string[] = [];
      let start: number;
      if (body.subarray(pos, pos + 2).equals(CRLF)) start = pos + 2;
      else {
        const end = body.indexOf(HEAD_END, pos);
        if (end < 0) return null;
        headers = utf8.decode(body.subarray(pos, end)).split('\r\n');
        start = end + 4;
      }
      const stop = body.indexOf(next, start);
      if (stop < 0) return null;
      parts.push({ headers, ...partBody(body.subarray(start, stop)) });
      pos = stop + next.length;
    }
  } catch {
    return null; // header lines that are not UTF-8
  }
  const parsed = { boundary, parts };
  return encodeMultipart(parsed).equals(body) ? parsed : null;
}

/** The bytes of a stored multipart body: the inverse of `parseMultipart`. */
export function encodeMultipart({ boundary, parts }: MultipartBody): Buffer {
  const out: Buffer[] = [];
  for (const part of parts) {
    const head = part.headers.map((line) => `${line}\r\n`).join('');
    out.push(Buffer.from(`--${boundary}\r\n${head}\r\n`));
    out.push(
      part.body_base64 !== undefined
        ? Buffer.from(part.body_base64, 'base64')
        : Buffer.from(part.body_text ?? '', 'utf8'),
    );
    out.push(CRLF);
  }
  out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

/** A text field's value (`model`, `purpose`), by its form name. */
export function multipartField(body: MultipartBody, name: string): string | undefined {
  const quoted = `name="${name}"`;
  const part = body.parts.find((p) =>
    p.headers.some(
      (h) => /^content-disposition:/i.test(h) && h.includes(quoted) && !/filename=/i.test(h),
    ),
  );
  return part?.body_text;
}
