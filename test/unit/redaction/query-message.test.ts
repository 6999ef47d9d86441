/**
 * Messages name request URLs (capture faults, refusals, provider error bodies); `formatMessage`
 * is the one place every message passes, so a credential in a query string dies there whatever
 * shape the URL has.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { formatMessage } from '../../../src/errors.ts';

const NAMES = ['key', 'api_key', 'apikey', 'access_token', 'token', 'API-KEY', 'accessToken'];

test('no query credential survives formatMessage, wherever it sits in the URL', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...NAMES),
      fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/),
      fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.stringMatching(/^[a-z0-9]{0,6}$/))),
      fc.nat(),
      fc.constantFrom('"', ' ', ')', '', '#frag'),
      (name, secret, others, at, after) => {
        const params = others.map(([k, v]) => `${k}=${v}`);
        params.splice(at % (params.length + 1), 0, `${name}=${secret}`);
        const url = `https://gw.example/v1beta/models/m:generateContent?${params.join('&')}`;
        const out = formatMessage(`Failed to record "GET ${url}${after}": refused.`);
        expect(out).not.toContain(secret);
        expect(out).toContain('[REDACTED:');
      },
    ),
  );
});

test('a message without credentials is kept as it was (negative control)', () => {
  const message = 'Failed to record "GET /v1beta/models?alt=sse&pageSize=5": refused.';
  expect(formatMessage(message)).toBe(`[replaykit] ${message}`);
});
