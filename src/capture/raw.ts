/**
 * Converts web `Request`s, and headers in every shape they reach us (`Headers`, `HeadersInit`,
 * undici's lists), into the pipeline's raw shapes.
 */
import type { RawRequest } from '../pipeline/exchange.ts';

/** Every shape headers reach us in: fetch's `Headers` and `HeadersInit`, and undici's flat list. */
export type AnyHeaders =
  | Headers
  | readonly (readonly [string, string])[]
  | readonly string[]
  | Record<string, string | readonly string[] | undefined>
  | null
  | undefined;

/** Lower-cased names; repeated headers joined with ", ", as fetch's `Headers` does. */
export function headersRecord(headers: AnyHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: string, value: string) => {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  };
  if (!headers) return out;
  if (headers instanceof Headers) {
    headers.forEach((value, name) => {
      add(name, value);
    });
  } else if (Array.isArray(headers)) {
    if (typeof headers[0] === 'string') {
      // undici's dispatcher form: name, value, name, value...
      const flat = headers as readonly string[];
      for (let i = 0; i + 1 < flat.length; i += 2) add(flat[i]!, flat[i + 1]!);
    } else for (const [name, value] of headers as [string, string][]) add(name, value);
  } else {
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) add(name, typeof value === 'string' ? value : value.join(', '));
    }
  }
  return out;
}

export async function rawRequest(request: Request): Promise<RawRequest> {
  const url = new URL(request.url);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const bytes = hasBody ? new Uint8Array(await request.clone().arrayBuffer()) : null;
  return {
    method: request.method,
    url: `${url.pathname}${url.search}`,
    origin: url.origin,
    headers: headersRecord(request.headers),
    body: bytes && bytes.length > 0 ? bytes : null,
    transport: 'http',
  };
}
