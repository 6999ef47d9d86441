/** Converts the interceptor's web `Request`/`Headers` into the pipeline's raw shapes. */
import type { RawRequest } from '../pipeline/exchange.ts';

export function headersRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
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
