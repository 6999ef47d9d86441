/**
 * Issue 23: default redaction changes nothing but secrets. Detectors validate what they match
 * (a real public suffix for e-mails, exact provider formats and checksums for tokens), PII
 * findings say what they matched without the value, and key-name rules inside bodies keep values
 * that cannot be credentials while header rules stay strict.
 */
import { describe, expect, test } from 'vitest';
import { createRedactor, detectSecrets, marker } from '../../../src/redaction/index.ts';
import { githubToken } from '../../support/planted.ts';
import { FAKE } from './shapes.ts';

const names = (text: string) => detectSecrets(text, { env: {} }).map((f) => f.detector);
const r = createRedactor({ env: {} });

describe('e-mail addresses need a domain under a public suffix', () => {
  test.each([
    'the@agent.instructions',
    'see config@runtime.settings for details',
    'ping admin@build.internal',
    'user@localhost.localdomain',
    'deploy@2x.png',
  ])('%s is not an address', (text) => {
    expect(names(text)).toEqual([]);
  });

  test.each([
    'jane.doe@example.com',
    'a.b+tag@mail.example.co.uk',
    'ops@startup.io',
    'x@sub.domain.dev',
  ])('%s is one', (address) => {
    expect(names(`write to ${address} today`)).toEqual(['email']);
  });
});

describe('tokens keep their exact provider formats and checksums', () => {
  test('a GitHub token whose CRC32 does not match is not a token', () => {
    const valid = githubToken('ghp', 'FAKEtestKEY0123456789abcdefghi');
    const broken = `${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`;
    expect(names(`token ${valid}`)).toEqual(['github-token']);
    expect(names(`token ${broken}`)).toEqual([]);
  });

  test('GitHub tokens have exactly 36 characters after the prefix', () => {
    expect(names(`ghp_${'a1B2c3D4e5'.repeat(4)}`)).toEqual([]);
    expect(names('ghp_shortButLooksLikeAToken0123')).toEqual([]);
  });

  test('Google API keys have exactly 35 characters after AIza', () => {
    expect(names(`key ${FAKE.google} end`)).toEqual(['google-api-key']);
    expect(names(`key ${FAKE.google}XYZ end`)).toEqual([]);
    expect(names('AIzaSyShort0123456789')).toEqual([]);
  });

  test('a JWT needs a JSON header', () => {
    expect(names(`token ${FAKE.jwt}`)).toEqual(['jwt']);
    // `eyJ` prefixes that do not decode to a JSON object (a base64 blob that happens to start so).
    expect(names('eyJzzzzzzzzzzzzzzzz.eyJzzzzzzzzzzzzzz.abc')).toEqual([]);
  });
});

describe('PII findings say what they matched, never the value', () => {
  test.each([
    [`mail ${FAKE.email}`, 'email', 'e-mail address at a .com domain'],
    [`call ${FAKE.phone}`, 'phone', 'international phone number, 12 digits'],
    ['call (555) 123-4567', 'phone', 'North-American phone number'],
    [`card ${FAKE.card}`, 'card-number', 'Visa card number, 16 digits, Luhn-valid'],
    ['amex 378282246310005', 'card-number', 'American Express card number, 15 digits, Luhn-valid'],
  ])('%s', (text, detector, matched) => {
    const [f] = detectSecrets(text, { env: {} });
    expect(f).toMatchObject({ detector, matched });
    expect(text).toContain(text.slice(f!.start, f!.end));
    expect(matched).not.toContain(text.slice(f!.start, f!.end));
  });

  test('secret detectors carry no description (the detector name says it all)', () => {
    expect(detectSecrets(`k ${FAKE.openai}`, { env: {} })[0]).not.toHaveProperty('matched');
  });
});

describe('key-name rules inside bodies redact only what could be a credential', () => {
  test('placeholders, empty values, booleans, numbers and too-short values are kept', () => {
    const body = {
      tools: [{ type: 'mcp', headers: { authorization: '<redacted>' } }],
      authorization: '<redacted>',
      api_key: '',
      apiKey: null,
      password: '********',
      client_secret: 'xxxxxxxxxxxx',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder.
      secret: '${CLIENT_SECRET}',
      access_token: '{{ access_token }}',
      refresh_token: 'REDACTED',
      session_token: '[hidden]',
      private_key: 'none',
      auth_token: true,
      github_token: false,
      db_password: 1234,
      bearer_token: 'abc',
      id_token: 'n/a',
      mcp: { headers: { AUTHORIZATION: 'Bearer github_pat_XXXX' }, api_key: 'sk-proj-****' },
      nested: { client_secret: 'sk-...', secret_key: 'ghp_xxxx' },
      proxy_authorization: 'Bearer sk-ant-***',
      access_key: '****',
    };
    expect(r.value(body)).toEqual(body);
  });

  test('values that could be credentials are still redacted, whatever they look like', () => {
    const out = r.value({
      authorization: 'Bearer opaque-session-value-42',
      api_key: 'hunter2',
      password: 'correct horse battery staple',
      client_secret: 'cs_9f8e7d6c',
      // A real value that merely ends like a mask: only a bare key prefix before it is a mask.
      db_password: 'hunter2...',
      secret: 'Bearer opaque-session***',
      private_key: 'sk-proj-real0123456789xxxx',
    });
    expect(out).toEqual({
      authorization: `Bearer ${marker('opaque-session-value-42')}`,
      api_key: marker('hunter2'),
      password: marker('correct horse battery staple'),
      client_secret: marker('cs_9f8e7d6c'),
      db_password: marker('hunter2...'),
      secret: `Bearer ${marker('opaque-session***')}`,
      private_key: marker('sk-proj-real0123456789xxxx'),
    });
  });

  test('header rules stay strict: every auth header value is redacted, placeholders too', () => {
    const out = r.headers({ authorization: '<redacted>', 'x-api-key': 'abc', cookie: 'a=1' });
    expect(out).toEqual({
      authorization: marker('<redacted>'),
      'x-api-key': marker('abc'),
      cookie: `a=${marker('1')}`,
    });
  });
});
