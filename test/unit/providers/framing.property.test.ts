/**
 * The binary and line framings of the new providers at any chunk split (issue 16 item 4): AWS
 * event streams (Bedrock) and NDJSON (Ollama). Framing then writing back gives the same bytes,
 * and the frames do not depend on where the chunks were cut.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  createEventstreamFramer,
  encodeEventstreamEvent,
} from '../../../src/providers/bedrock/eventstream.ts';
import { createNdjsonFramer, ndjsonLine } from '../../../src/providers/ndjson.ts';
import type { RawFrame } from '../../../src/providers/sse.ts';

const cuts = fc.array(fc.nat(), { maxLength: 30 });

function splitAt(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of [...sorted, bytes.length]) {
    out.push(bytes.subarray(start, p));
    start = p;
  }
  return out;
}

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const jsonObject = fc.dictionary(
  fc.string({ maxLength: 6 }),
  fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)),
  { maxKeys: 4 },
);

function frameAll(
  framer: { push(c: Uint8Array): RawFrame[]; end(): RawFrame[] },
  chunks: Uint8Array[],
) {
  const frames: RawFrame[] = [];
  for (const c of chunks) frames.push(...framer.push(c));
  frames.push(...framer.end());
  return frames;
}

const parse = (f: RawFrame) => ({ ...f, data: JSON.parse(f.data) as unknown });

describe('AWS event stream (Bedrock)', () => {
  const event = fc.record({
    event: fc.constantFrom(
      'messageStart',
      'contentBlockDelta',
      'contentBlockStop',
      'messageStop',
      'metadata',
      'exception:throttlingException',
    ),
    data: jsonObject,
  });
  const chunkEvent = fc.record({
    event: fc.constant('chunk'),
    data: fc.record({ bytes: jsonObject, p: fc.constantFrom('a', 'abcdef') }),
  });

  test('framing any split of the encoded messages gives the events back, and the same bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(event, chunkEvent), { maxLength: 8 }),
        cuts,
        (events, points) => {
          const wire = Buffer.concat(events.map(encodeEventstreamEvent));
          const framer = createEventstreamFramer();
          const frames = frameAll(framer, splitAt(wire, points));
          expect(framer.faults).toEqual([]);
          expect(frames.map((f) => ({ event: f.event, data: JSON.parse(f.data) }))).toEqual(events);
          expect(frames.every((f) => f.raw === undefined)).toBe(true);
          expect(Buffer.concat(frames.map((f) => encodeEventstreamEvent(parse(f))))).toEqual(wire);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('a chunk event stores the model event decoded, and writes the same base64 back', () => {
    const inner = { type: 'content_block_delta', delta: { type: 'text_delta', text: 'é <b>' } };
    const bytes = Buffer.from(JSON.stringify(inner)).toString('base64');
    const framer = createEventstreamFramer();
    const wire = encodeEventstreamEvent({ event: 'chunk', data: { bytes, p: 'abc' } });
    const [frame] = frameAll(framer, [wire]);
    expect(JSON.parse(frame!.data)).toEqual({ bytes: inner, p: 'abc' });
    expect(Buffer.from(encodeEventstreamEvent(parse(frame!)))).toEqual(Buffer.from(wire));
  });

  test('a message whose CRC is wrong is a fault, never a thrown error', () => {
    const wire = Buffer.from(encodeEventstreamEvent({ event: 'messageStop', data: { a: 1 } }));
    wire[wire.length - 1]! ^= 0xff;
    const framer = createEventstreamFramer();
    expect(frameAll(framer, [wire])).toEqual([]);
    expect(framer.faults[0]?.message).toMatch(/malformed event-stream message/);
  });

  test('a stream cut inside a message reports the bytes left', () => {
    const wire = encodeEventstreamEvent({ event: 'messageStop', data: { stopReason: 'x' } });
    const framer = createEventstreamFramer();
    expect(frameAll(framer, [wire.subarray(0, 20)])).toEqual([]);
    expect(framer.faults[0]?.message).toMatch(/ended inside a message \(20 bytes left\)/);
  });
});

describe('NDJSON (Ollama)', () => {
  /** Go's encoder escapes <, > and & : such lines must come back byte for byte too. */
  const goEscape = (line: string) =>
    line.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  const line = fc
    .tuple(jsonObject, fc.boolean(), fc.constantFrom('\n', '\r\n', '\n\n'))
    .map(([obj, go, eol]) => {
      const json = JSON.stringify(obj);
      return `${go ? goEscape(json) : json}${eol}`;
    });

  test('framing any split gives the objects back, and writing the frames gives the same bytes', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), cuts, (lines, points) => {
        const wire = Buffer.from(lines.join(''));
        const framer = createNdjsonFramer();
        const frames = frameAll(framer, splitAt(wire, points));
        expect(frames.map((f) => JSON.parse(f.data))).toEqual(
          lines.map((l) => JSON.parse(l.trim())),
        );
        const back = frames.map((f) => ndjsonLine(parse(f))).join('') + framer.tail;
        expect(back).toBe(wire.toString('utf8'));
      }),
      { numRuns: 150 },
    );
  });

  test('a last line without a newline is still a frame, written back without one', () => {
    const framer = createNdjsonFramer();
    const frames = frameAll(framer, [Buffer.from('{"a":1}\n{"done":true}')]);
    expect(frames.map((f) => JSON.parse(f.data))).toEqual([{ a: 1 }, { done: true }]);
    expect(frames.map((f) => ndjsonLine(parse(f))).join('')).toBe('{"a":1}\n{"done":true}');
  });
});
