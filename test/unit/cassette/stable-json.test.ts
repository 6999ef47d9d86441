/**
 * The canonical hash's serialiser gives the very text fast-json-stable-stringify gives, so every
 * cassette sealed before keeps verifying (`replaypack inspect`, the reader's seal check).
 */

import fc from 'fast-check';
import stableStringify from 'fast-json-stable-stringify';
import { expect, test } from 'vitest';
import { stableJson } from '../../../src/cassette/stable-json.ts';

const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.constant(undefined),
    fc.double(),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('v'), { maxKeys: 5 }),
  ),
})).v;

test('same text as fast-json-stable-stringify on random values', () => {
  fc.assert(
    fc.property(value, (v) => {
      expect(stableJson(v)).toBe(stableStringify(v));
    }),
    { numRuns: 2000 },
  );
});

test('keys sorted, undefined fields dropped, non-finite numbers as null', () => {
  expect(stableJson({ b: 1, a: [undefined, Number.NaN, 'x'], c: undefined })).toBe(
    '{"a":[null,null,"x"],"b":1}',
  );
});
