/**
 * Opaque bodies round-trip byte for byte through what is stored (issue 13, symptom 6): any bytes
 * under any content type, and multipart bodies with any boundary, parts and bytes, come back from
 * the stored form (after a trip through JSON, as on disk) exactly as they were sent. Text stays
 * readable, binary becomes base64, multipart is split into parts only when they rebuild it, and
 * matching does not see the boundary.
 */

import fc from 'fast-check';
import stableStringify from 'fast-json-stable-stringify';
import { describe, expect, test } from 'vitest';
import {
  type ModelRequest,
  ModelRequest as ModelRequestSchema,
} from '../../../src/cassette/schema.ts';
import {
  decodeBody,
  encodeBody,
  normalizeRequest,
  normalizeStep,
} from '../../../src/providers/index.ts';

/** What the file keeps of a decoded body: a JSON round trip, through the schema. */
const stored = (decoded: ReturnType<typeof decodeBody>) =>
  JSON.parse(JSON.stringify(decoded)) as ReturnType<typeof decodeBody>;

const contentTypes = fc.constantFrom(
  undefined,
  'application/json',
  'text/plain; charset=utf-8',
  'application/octet-stream',
  'audio/mpeg',
  'application/jsonl',
  'multipart/form-data; boundary=xyz',
);

/** Bytes that are often text, often JSON (compact or pretty), sometimes binary. */
const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v, null, 2))),
  fc
    .constantFrom('{"a":1.0}', '{"a":1,"a":2}', '\uFEFF{"a":1}', ' [1] ', '1e2')
    .map((s) => Buffer.from(s)),
);

describe('any body, any content type', () => {
  test('the stored form gives back the same bytes', () => {
    fc.assert(
      fc.property(bodies, contentTypes, (bytes, type) => {
        const decoded = stored(decodeBody(bytes, type, { exact: true }));
        const back = encodeBody(decoded) ?? Buffer.alloc(0);
        expect(Buffer.compare(back, Buffer.from(bytes))).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  test('text is stored readable and only non-text as base64', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }), (text) => {
        fc.pre(![...text].some((c) => c < ' ' && c !== '\t' && c !== '\n' && c !== '\r'));
        const decoded = decodeBody(Buffer.from(text), 'text/plain', { exact: true });
        expect(decoded.body_base64).toBeUndefined();
      }),
    );
    const binary = decodeBody(Buffer.from([0, 1, 2, 0xff]), 'audio/mpeg', { exact: true });
    expect(binary).toEqual({ body_base64: 'AAEC/w==' });
  });
});

/** A boundary as clients make them: token characters, up to 70. */
const boundaries = fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/);
const fieldName = fc.stringMatching(/^[a-z_]{1,12}$/);
const part = fc.record({
  name: fieldName,
  file: fc.option(fc.stringMatching(/^[\w .-]{1,20}$/), { nil: undefined }),
  bytes: fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.string({ maxLength: 60 }).map((s) => new Uint8Array(Buffer.from(s))),
  ),
});
type Part = typeof part extends fc.Arbitrary<infer T> ? T : never;

function multipart(boundary: string, parts: Part[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    const head = p.file
      ? `Content-Disposition: form-data; name="${p.name}"; filename="${p.file}"\r\nContent-Type: application/octet-stream\r\n`
      : `Content-Disposition: form-data; name="${p.name}"\r\n`;
    out.push(
      Buffer.from(`--${boundary}\r\n${head}\r\n`),
      Buffer.from(p.bytes),
      Buffer.from('\r\n'),
    );
  }
  out.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(out);
}

const typeOf = (boundary: string) => `multipart/form-data; boundary=${boundary}`;

function requestStep(boundary: string, parts: Part[]): ModelRequest {
  return ModelRequestSchema.parse({
    type: 'model.request',
    index: 0,
    correlation_id: 'c',
    provider: 'openai',
    endpoint: 'opaque',
    offset_ms: 0,
    method: 'POST',
    url: '/v1/audio/transcriptions',
    stream: false,
    headers: { 'content-type': typeOf(boundary) },
    ...stored(decodeBody(multipart(boundary, parts), typeOf(boundary), { exact: true })),
  });
}

describe('multipart bodies', () => {
  test('any boundary, parts and bytes: stored part by part when they rebuild it, and always byte for byte', () => {
    fc.assert(
      fc.property(boundaries, fc.array(part, { maxLength: 5 }), (boundary, parts) => {
        const bytes = multipart(boundary, parts);
        const decoded = stored(decodeBody(bytes, typeOf(boundary), { exact: true }));
        expect(Buffer.compare(encodeBody(decoded)!, bytes)).toBe(0);
        // A part holding the delimiter itself cannot be split out; any other body is.
        const clash = parts.some((p) => Buffer.from(p.bytes).includes(`\r\n--${boundary}`));
        if (!clash) {
          expect(decoded.body_multipart?.parts).toHaveLength(parts.length);
          for (const [i, p] of parts.entries()) {
            const got = decoded.body_multipart!.parts[i]!;
            const bytesBack =
              got.body_base64 !== undefined
                ? Buffer.from(got.body_base64, 'base64')
                : Buffer.from(got.body_text!);
            expect(Buffer.compare(bytesBack, Buffer.from(p.bytes))).toBe(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test('matching and the canonical form do not see the boundary, and do see the content', () => {
    fc.assert(
      fc.property(
        boundaries,
        boundaries,
        fc.array(part, { minLength: 1, maxLength: 4 }),
        (a, b, parts) => {
          const clash = parts.some((p) => [a, b].some((x) => Buffer.from(p.bytes).includes(x)));
          fc.pre(!clash);
          const one = requestStep(a, parts);
          const two = requestStep(b, parts);
          expect(normalizeRequest.fingerprint!(two)).toBe(normalizeRequest.fingerprint!(one));
          expect(stableStringify(normalizeStep(two))).toBe(stableStringify(normalizeStep(one)));
          const changed = parts.map((p, i) =>
            i === 0 ? { ...p, bytes: Uint8Array.from([...p.bytes, 0x7f]) } : p,
          );
          expect(normalizeRequest.fingerprint!(requestStep(b, changed))).not.toBe(
            normalizeRequest.fingerprint!(one),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
