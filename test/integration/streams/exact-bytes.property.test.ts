/**
 * Issue 14 item 2: streams replay to the byte. Random SSE streams (JSON with `\uXXXX` and other
 * escapes, LF / CRLF / CR line endings, comments, `id:` before or after `event:`, `data:` with and
 * without its space, a trailing comment) go through the real capture path at random chunk
 * boundaries; the client then reads the same bytes in replay as it did live.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readCassette } from '../../../src/cassette/reader.ts';
import { record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let dir: string;
beforeAll(async () => {
  up = await startFakeUpstream();
  dir = mkdtempSync(path.join(tmpdir(), 'rk-exact-'));
});
afterAll(() => up.close());

/** Short words: nothing a secret or PII detector would take (redaction is on, as by default). */
const word = fc.constantFrom(
  'Hi',
  'yes',
  'caf\u00e9',
  '\u2014',
  'a "q"',
  'back\\slash',
  'line\nbreak',
  'tab\t',
  '\ud83d\ude00',
  '<b>',
  'x/y',
);
/** JSON text of a Chat chunk, with each non-ASCII or chosen character escaped or not. */
const jsonText = fc
  .record({
    words: fc.array(word, { minLength: 1, maxLength: 4 }),
    escaping: fc.constantFrom('none', 'unicode', 'slash', 'all'),
    spaced: fc.boolean(),
  })
  .map(({ words, escaping, spaced }) => {
    let content = JSON.stringify(words.join(' '));
    if (escaping === 'unicode' || escaping === 'all') {
      content = content.replace(
        /[^ -~\t\n\r\\]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
    }
    if (escaping === 'slash' || escaping === 'all') content = content.replace(/\//g, '\\/');
    const sep = spaced ? ': ' : ':';
    return `{"object"${sep}"chat.completion.chunk"${spaced ? ', ' : ','}"choices"${sep}[{"index"${sep}0,"delta"${sep}{"content"${sep}${content}}}]}`;
  });

const frame = fc.record({
  data: jsonText,
  event: fc.option(fc.constantFrom('message', 'delta'), { nil: undefined }),
  id: fc.option(fc.constantFrom('1', 'evt_2', '42'), { nil: undefined }),
  idFirst: fc.boolean(),
  comment: fc.option(fc.constantFrom(': keep-alive', ':ping', ': OPENROUTER PROCESSING'), {
    nil: undefined,
  }),
  dataSpace: fc.boolean(),
});

const stream = fc.record({
  eol: fc.constantFrom('\n', '\r\n', '\r'),
  frames: fc.array(frame, { minLength: 1, maxLength: 6 }),
  done: fc.boolean(),
  trailing: fc.option(fc.constantFrom(': end', ':bye'), { nil: undefined }),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
});

type StreamCase = typeof stream extends fc.Arbitrary<infer T> ? T : never;

function render({ eol, frames, done, trailing }: Omit<StreamCase, 'cuts'>): Buffer {
  let text = '';
  for (const f of frames) {
    if (f.comment) text += f.comment + eol;
    const ev = f.event ? `event: ${f.event}${eol}` : '';
    const id = f.id ? `id: ${f.id}${eol}` : '';
    text += f.idFirst ? id + ev : ev + id;
    text += `data:${f.dataSpace ? ' ' : ''}${f.data}${eol}${eol}`;
  }
  if (done) text += `data: [DONE]${eol}${eol}`;
  if (trailing) text += trailing + eol + eol;
  return Buffer.from(text);
}

function split(bytes: Buffer, fractions: number[]): Buffer[] {
  const points = [...new Set(fractions.map((f) => Math.floor(f * bytes.length)))]
    .filter((p) => p > 0 && p < bytes.length)
    .sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(start, p));
    start = p;
  }
  return out;
}

async function read(origin: string): Promise<Buffer> {
  const res = await fetch(`${origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-FAKE' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    }),
  });
  return Buffer.from(await res.arrayBuffer());
}

let run = 0;
test('random SSE streams at random chunking replay byte for byte', async () => {
  await fc.assert(
    fc.asyncProperty(stream, async (s) => {
      const bytes = render(s);
      const cassette = path.join(dir, `s${run++}.rpk`);
      up.reset();
      up.enqueue({
        kind: 'raw',
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        chunks: split(bytes, s.cuts),
      });
      const live = await record({ cassette, mode: 'record' }, () => read(up.url));
      expect(live.value.equals(bytes)).toBe(true);
      up.reset();
      const replayed = await record({ cassette, mode: 'replay' }, () => read(up.url));
      expect(up.received).toHaveLength(0);
      expect(replayed.value.toString('utf8')).toBe(bytes.toString('utf8'));
      // Readable: data stays parsed JSON; exact text only where re-encoding would differ.
      const { steps } = await readCassette(cassette);
      const response = steps.find((st) => st.type === 'model.response');
      const events = response?.type === 'model.response' ? (response.stream?.events ?? []) : [];
      expect(
        events.filter((e) => e.data !== '[DONE]').every((e) => typeof e.data === 'object'),
      ).toBe(true);
    }),
    { numRuns: 60, seed: 14 },
  );
});
