/** Reading what a client sent: headers, the (decoded) body, JSON. */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { decodeBody } from './decode.ts';
import type { FormValue } from './types.ts';

export function lowerHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // HTTP/2 pseudo-headers (`:path`, `:method`) are not headers a client chose.
    if (value !== undefined && !name.startsWith(':'))
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return decodeBody(Buffer.concat(chunks), req.headers['content-encoding']);
}

/** A `multipart/form-data` body's fields, parsed by undici (as a server framework would). */
export async function parseForm(
  bytes: Buffer,
  contentType: string | undefined,
): Promise<Record<string, FormValue> | undefined> {
  if (!contentType?.toLowerCase().startsWith('multipart/form-data')) return undefined;
  try {
    const form = await new Response(new Uint8Array(bytes), {
      headers: { 'content-type': contentType },
    }).formData();
    const out: Record<string, FormValue> = {};
    // The DOM lib here lacks FormData's iterator; forEach has every entry, in order.
    const entries: [string, FormDataEntryValue][] = [];
    form.forEach((value, name) => {
      entries.push([name, value]);
    });
    for (const [name, value] of entries) {
      out[name] =
        typeof value === 'string'
          ? value
          : {
              filename: value.name,
              type: value.type,
              bytes: Buffer.from(await value.arrayBuffer()),
            };
    }
    return out;
  } catch {
    return undefined;
  }
}
