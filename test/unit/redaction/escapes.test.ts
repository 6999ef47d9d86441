/**
 * Issue 14 item 1: secrets inside JSON that is itself held in a string (an MCP call's `output`,
 * tool arguments, a scanned cassette line). Detectors must see decoded text, so `\n` before a key
 * is a line break and not the letter `n`, and a redacted span must never cut an escape in two.
 */
import { describe, expect, test } from 'vitest';
import { createRedactor, detectSecrets } from '../../../src/redaction/index.ts';
import { DELTA_SHAPES, FAKE } from './shapes.ts';

const r = createRedactor({ env: {} });

/** Every escape JSON.stringify can write, plus the ones only other encoders write. */
const ESCAPES = ['\\n', '\\t', '\\r', '\\"', '\\\\', '\\/', '\\u00e9', '\\u2014', '\\u0020'];

/** The MCP shape: a tool output string holding a JSON document with `esc` right before `secret`. */
function mcpOutput(esc: string, secret: string): string {
  return `{"content":[{"type":"text","text":"line one${esc}${secret}${esc}line three"}]}`;
}

const SECRETS: [string, string][] = [
  ['openai-key', FAKE.openai],
  ['anthropic-key', FAKE.anthropic],
  ['google-api-key', FAKE.google],
  ['jwt', FAKE.jwt],
  ['email', FAKE.email],
];

/** JSON.parse at every level where a string holds JSON; throws on a corrupt escape. */
function parseDeep(v: unknown): unknown {
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('{') || t.startsWith('[')) return parseDeep(JSON.parse(t));
    return v;
  }
  if (Array.isArray(v)) return v.map(parseDeep);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, parseDeep(x)]));
  }
  return v;
}

describe.each(ESCAPES)('after and before the escape %s', (esc) => {
  test.each(SECRETS)(
    '%s inside a JSON string value is redacted and the JSON stays valid',
    (_, secret) => {
      const output = mcpOutput(esc, secret);
      expect(() => JSON.parse(output)).not.toThrow();
      const out = r.value({ type: 'function_call_output', call_id: 'c1', output });
      expect(JSON.stringify(out)).not.toContain(secret);
      const parsed = parseDeep(out) as { output: { content: { text: string }[] } };
      expect(parsed.output.content[0]!.text).toMatch(
        /^line one.+\[REDACTED:[0-9a-f]{6}\].+line three$/s,
      );
    },
  );

  test.each(SECRETS)(
    '%s is found by the detectors in the cassette line that holds it',
    (detector, secret) => {
      const line = JSON.stringify({ type: 'tool.response', output: mcpOutput(esc, secret) });
      expect(detectSecrets(line, { env: {} }).map((f) => f.detector)).toEqual([detector]);
    },
  );
});

test('two levels: JSON in a string in a string, a key after an escaped \\n', () => {
  const inner = JSON.stringify({ stdout: `export X=1\n${FAKE.openai}\nok` });
  const middle = JSON.stringify({ result: inner });
  const out = r.value({ output: middle }) as { output: string };
  expect(JSON.stringify(out)).not.toContain(FAKE.openai);
  const parsed = JSON.parse(JSON.parse(out.output).result) as { stdout: string };
  expect(parsed.stdout).toMatch(/^export X=1\n\[REDACTED:[0-9a-f]{6}\]\nok$/);
  const line = JSON.stringify({ output: middle });
  expect(detectSecrets(line, { env: {} }).map((f) => f.detector)).toEqual(['openai-key']);
});

test('an email after \\n keeps the escape: the redacted output is still valid JSON', () => {
  const output = `{"text":"Contact:\\n${FAKE.email}\\nThanks"}`;
  const out = r.value({ output }) as { output: string };
  expect(() => JSON.parse(out.output)).not.toThrow();
  expect(JSON.parse(out.output).text).toMatch(/^Contact:\n\[REDACTED:[0-9a-f]{6}\]\nThanks$/);
});

test('text without secrets comes back byte for byte, escapes and all', () => {
  const output = '{"a":"caf\\u00e9 \\u2014 \\/path\\\\to\\n\\t\\"quoted\\"","b":"plain"}';
  expect(r.value({ output })).toEqual({ output });
});

describe.each(DELTA_SHAPES)('stream: $name', (shape) => {
  test('a key after an escaped \\n, split across deltas, never reaches an event', () => {
    const args = `{"output":"{\\"text\\":\\"ok\\\\n${FAKE.openai}\\\\n\\"}"}`;
    // Cut inside the escape and inside the key.
    const cut1 = args.indexOf('\\\\n') + 1;
    const cut2 = args.indexOf(FAKE.openai) + 10;
    const pieces = [args.slice(0, cut1), args.slice(cut1, cut2), args.slice(cut2)];
    const s = r.stream();
    const out = [...pieces.flatMap((p, i) => s.push(shape.make(p, i))), ...s.flush()];
    const joined = out.map((e) => shape.read(e)).join('');
    expect(joined).not.toContain(FAKE.openai.slice(8, 20));
    expect(JSON.parse(JSON.parse(joined).output).text).toMatch(/^ok\n\[REDACTED:[0-9a-f]{6}\]\n$/);
  });
});
