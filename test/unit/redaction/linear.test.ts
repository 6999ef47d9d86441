/**
 * The detectors run over every string of every step and over whole files: a pattern with
 * catastrophic backtracking would hang a recording. These inputs are the shapes that break naive
 * patterns (long runs of token characters, repeated prefixes without an ending); the test
 * timeout is the guard, the assertions check the answers stay sane.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { detectSecrets } from '../../../src/redaction/index.ts';

const ATOMS = [
  'sk-',
  'sk-ant-',
  'a',
  'Z',
  '0',
  '9',
  '-',
  '_',
  '.',
  '@',
  '+',
  '/',
  '=',
  ' ',
  '\n',
  '"',
  ':',
  '(',
  ')',
  'eyJ',
  'AKIA',
  'AIza',
  'ghp_',
  'xoxb-',
  'Bearer ',
  '-----BEGIN PRIVATE KEY-----',
  '"api_key": "',
  'API_KEY=',
  '4111 ',
  '\\n',
  // Escapes at every level (issue 14): findings map back through them and must stay in range.
  '\\',
  '\\\\',
  '\\"',
  '\\\\n',
  '\\u00e9',
  '\\u00',
  '\\/',
];

test('random long inputs built from pattern fragments: findings are sorted, disjoint and in range', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...ATOMS), { minLength: 1000, maxLength: 20_000 }),
      (atoms) => {
        const text = atoms.join('');
        const found = detectSecrets(text, { env: {} });
        let last = 0;
        for (const f of found) {
          expect(f.start).toBeGreaterThanOrEqual(last);
          expect(f.end).toBeGreaterThan(f.start);
          expect(f.end).toBeLessThanOrEqual(text.length);
          last = f.end;
        }
      },
    ),
    { numRuns: 25 },
  );
});

test.each([
  ['token characters', 'a'.repeat(300_000)],
  ['dots', 'a.'.repeat(150_000)],
  ['dashes', '-'.repeat(300_000)],
  ['sk- prefixes', 'sk-'.repeat(100_000)],
  ['JWT-like segments', 'eyJaaaaa.'.repeat(33_000)],
  ['PEM headers without END', '-----BEGIN PRIVATE KEY-----'.repeat(11_000)],
  ['assignment openers', '"api_key": "'.repeat(25_000)],
  ['email-like', 'a.b-c@d.e-f.'.repeat(25_000)],
  ['digits and spaces', '1 '.repeat(150_000)],
  ['backslashes (eight levels of escapes)', '\\'.repeat(300_000)],
  ['escaped quotes and line breaks', '\\"\\n'.repeat(75_000)],
])('a 300 KB run of %s finishes', (_name, text) => {
  const found = detectSecrets(text, { env: {} });
  expect(Array.isArray(found)).toBe(true);
});
