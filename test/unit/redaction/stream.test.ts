import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { StreamEvent } from '../../../src/cassette/schema.ts';
import { createRedactor } from '../../../src/redaction/index.ts';
import { DELTA_SHAPES, FAKE } from './shapes.ts';

const env = { MY_DEPLOY_TOKEN: FAKE.env };
const PROSE = 'Here is the configuration you asked for. Remember to rotate credentials often. ';

function run(
  shape: (typeof DELTA_SHAPES)[number],
  pieces: string[],
  extra?: (i: number) => StreamEvent | null,
) {
  const r = createRedactor({ env });
  const s = r.stream();
  const out: StreamEvent[] = [];
  pieces.forEach((p, i) => {
    out.push(...s.push(shape.make(p, i)));
    const e = extra?.(i);
    if (e) out.push(...s.push(e));
  });
  out.push(...s.flush());
  return { r, out };
}

/** Every substring of the secret's random body long enough to be useful to an attacker. */
function leaks(haystack: string, secret: string): boolean {
  for (let i = 0; i + 8 <= secret.length; i++) {
    if (haystack.includes(secret.slice(i, i + 8))) return true;
  }
  return false;
}

function splitAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let at = 0;
  for (const p of points) {
    out.push(text.slice(at, p));
    at = p;
  }
  out.push(text.slice(at));
  return out;
}

const SECRETS = [FAKE.openai, FAKE.anthropic, FAKE.github, FAKE.jwt, FAKE.google, FAKE.env];

describe.each(DELTA_SHAPES)('stream redaction: $name', (shape) => {
  test('a key split across deltas at random points never appears in any event or the assembled text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SECRETS),
        fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
        fc.nat(400),
        (secret, cuts, prefixLen) => {
          const full = `${PROSE.repeat(6).slice(0, prefixLen)}key: ${secret} done. ${PROSE}`;
          const secretAt = full.indexOf(secret);
          // Cuts land inside the secret, so it is genuinely split across 2..N deltas.
          const pieces = splitAt(
            full,
            cuts.map((c) => secretAt + 1 + (c % (secret.length - 1))),
          );
          const { r, out } = run(shape, pieces);
          expect(out).toHaveLength(pieces.length);
          const joined = out.map(shape.read).join('');
          for (const ev of out) expect(leaks(JSON.stringify(ev), secret)).toBe(false);
          expect(leaks(joined, secret)).toBe(false);
          // The events concatenate to exactly what text() gives for the assembled output.
          expect(joined).toBe(r.text(full));
          expect(joined).toContain('[REDACTED:');
          expect(joined).toContain('key: ');
        },
      ),
      { numRuns: 60 },
    );
  });

  test('one-character deltas across a long prose prefix still redact the key', () => {
    const full = `${PROSE.repeat(8)}${FAKE.openai}${PROSE}`;
    const { r, out } = run(shape, [...full]);
    const joined = out.map(shape.read).join('');
    expect(leaks(joined, FAKE.openai)).toBe(false);
    expect(joined).toBe(r.text(full));
  });

  test('text without secrets passes through byte for byte, in order', () => {
    const pieces = [
      'The sha256 is e3b0c442',
      '98fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ' and the id 123e4567-e89b-12d3-a456-426614174000.',
    ];
    const { out } = run(shape, pieces);
    expect(out.map(shape.read)).toEqual(pieces);
    expect(out.map((e) => e.offset_ms)).toEqual([0, 1, 2]);
  });
});

test('events are held back only until enough text follows, then released in order', () => {
  const shape = DELTA_SHAPES[0]!;
  const s = createRedactor({ env: {} }).stream({ lookahead: 16 });
  expect(s.push(shape.make('hello there, ', 0))).toEqual([]);
  const released = s.push(shape.make('this is a longer sentence', 1));
  expect(released.map(shape.read)).toEqual(['hello there, ']);
  expect(s.flush().map(shape.read)).toEqual(['this is a longer sentence']);
});

test('non-delta events keep their place and are walked: a key in response.completed is redacted', () => {
  const shape = DELTA_SHAPES[0]!;
  const s = createRedactor({ env: {} }).stream();
  const done: StreamEvent = {
    offset_ms: 9,
    event: 'response.completed',
    data: {
      type: 'response.completed',
      response: { id: 'resp_1', output: [{ content: [{ text: `x ${FAKE.openai}` }] }] },
    },
  };
  const out = [...s.push(shape.make('abc ', 0)), ...s.push(done), ...s.flush()];
  expect(out.map((e) => e.event)).toEqual(['response.output_text.delta', 'response.completed']);
  expect(JSON.stringify(out)).not.toContain(FAKE.openai);
});

test('anthropic pings between the fragments of a split key do not release them early', () => {
  const shape = DELTA_SHAPES.find((s) => s.name === 'anthropic text_delta')!;
  const ping: StreamEvent = { offset_ms: 0, event: 'ping', data: { type: 'ping' } };
  const half = FAKE.anthropic.length >> 1;
  const { out } = run(
    shape,
    [`key ${FAKE.anthropic.slice(0, half)}`, `${FAKE.anthropic.slice(half)} end`],
    () => ping,
  );
  expect(out.map((e) => e.event)).toEqual([
    'content_block_delta',
    'ping',
    'content_block_delta',
    'ping',
  ]);
  expect(leaks(JSON.stringify(out), FAKE.anthropic)).toBe(false);
});

test('content_block_stop closes the block: its held deltas are released without waiting for the end', () => {
  const shape = DELTA_SHAPES.find((s) => s.name === 'anthropic text_delta')!;
  const s = createRedactor({ env: {} }).stream();
  expect(s.push(shape.make('short text', 0))).toEqual([]);
  const out = s.push({
    offset_ms: 1,
    event: 'content_block_stop',
    data: { type: 'content_block_stop', index: 0 },
  });
  expect(out.map((e) => e.event)).toEqual(['content_block_delta', 'content_block_stop']);
});

test('two channels interleaved (text and tool arguments) are redacted independently', () => {
  const text = DELTA_SHAPES.find((s) => s.name === 'anthropic text_delta')!;
  const json = DELTA_SHAPES.find((s) => s.name === 'anthropic input_json_delta')!;
  const s = createRedactor({ env: {} }).stream();
  const key = FAKE.github;
  const evs = [
    text.make(`a ${key.slice(0, 10)}`, 0),
    json.make(`{"token": "${key.slice(0, 12)}`, 1),
    text.make(`${key.slice(10)} b`, 2),
    json.make(`${key.slice(12)}"}`, 3),
  ];
  const out = [...evs.flatMap((e) => s.push(e)), ...s.flush()];
  expect(out).toHaveLength(4);
  expect(leaks(JSON.stringify(out), key)).toBe(false);
  expect(text.read(out[0]!) + text.read(out[2]!)).toMatch(/^a \[REDACTED:[0-9a-f]{6}\] b$/);
});
