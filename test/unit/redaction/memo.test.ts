/** Remembered findings (src/redaction/memo.ts) never change what redaction writes. */
import { expect, test } from 'vitest';
import { createRedactor } from '../../../src/redaction/index.ts';

const KEY = `sk-proj-${'A1b2C3d4'.repeat(4)}`;

test('a short string seen again is redacted the same way every time', () => {
  const r = createRedactor({ env: {} });
  const first = r.value({ k: KEY, n: 'finish_reason', t: 'plain text here' });
  for (let i = 0; i < 3; i++) {
    expect(r.value({ k: KEY, n: 'finish_reason', t: 'plain text here' })).toEqual(first);
  }
  expect(JSON.stringify(first)).not.toContain(KEY);
  expect(first).toMatchObject({ n: 'finish_reason', t: 'plain text here' });
});

test('the table stays correct after it is dropped for being full', () => {
  const r = createRedactor({ env: {} });
  for (let i = 0; i < 10_000; i++) r.text(`chatcmpl-${i.toString(36).padStart(8, '0')}`);
  expect(r.text(`key ${KEY}`)).not.toContain(KEY);
  expect(r.text('gpt-bench model')).toBe('gpt-bench model');
});
