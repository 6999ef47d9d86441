/**
 * The stdio transport's framing as the shim observes it: however the pipe splits the bytes
 * (mid-message, mid-UTF-8 character, several messages per chunk), the recorder sees exactly the
 * messages that were sent, in order.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LineSplitter } from '../../../src/mcp/framing.ts';

/** Cuts `bytes` at the given positions (sorted, deduplicated, inside the buffer). */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
}

const message = fc
  .record({
    id: fc.oneof(fc.nat(), fc.string()),
    method: fc.string({ minLength: 1 }),
    // Full Unicode: multi-byte characters that a chunk boundary can split.
    text: fc.string({ unit: 'grapheme' }),
  })
  .map((m) => JSON.stringify({ jsonrpc: '2.0', ...m }));

describe('LineSplitter', () => {
  test('any chunking of newline-delimited messages yields the same messages, in order', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.boolean(),
        (messages, at, crlf) => {
          const wire = Buffer.from(messages.map((m) => `${m}${crlf ? '\r\n' : '\n'}`).join(''));
          const seen: string[] = [];
          const splitter = new LineSplitter((line) => seen.push(line));
          for (const chunk of cut(wire, at)) splitter.push(chunk);
          splitter.end();
          expect(seen).toEqual(messages);
          expect(seen.map((l) => JSON.parse(l))).toEqual(messages.map((m) => JSON.parse(m)));
        },
      ),
    );
  });

  test('a last message without its newline is still delivered at the end of the stream', () => {
    const seen: string[] = [];
    const splitter = new LineSplitter((line) => seen.push(line));
    splitter.push(Buffer.from('{"a":1}\n{"b":'));
    expect(seen).toEqual(['{"a":1}']);
    splitter.push(Buffer.from('2}'));
    splitter.end();
    expect(seen).toEqual(['{"a":1}', '{"b":2}']);
  });

  test('a reused input buffer does not change a message still being assembled', () => {
    const seen: string[] = [];
    const splitter = new LineSplitter((line) => seen.push(line));
    const buffer = Buffer.from('{"x":"ab');
    splitter.push(buffer);
    buffer.fill(0x7a);
    splitter.push(Buffer.from('c"}\n'));
    expect(seen).toEqual(['{"x":"abc"}']);
  });
});
