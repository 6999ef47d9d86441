/** Request bodies may be compressed (some agents send `content-encoding: zstd` or gzip). */
import zlib from 'node:zlib';

export function decodeBody(raw: Buffer, encoding: string | undefined): Buffer {
  try {
    switch (encoding?.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return zlib.gunzipSync(raw);
      case 'deflate':
        return zlib.inflateSync(raw);
      case 'br':
        return zlib.brotliDecompressSync(raw);
      case 'zstd':
        // zstd landed in node:zlib in Node 22.15 / 23.8; on older runtimes keep the raw bytes.
        return typeof zlib.zstdDecompressSync === 'function' ? zlib.zstdDecompressSync(raw) : raw;
      default:
        return raw;
    }
  } catch {
    return raw; // a body that does not decode is recorded as sent
  }
}
