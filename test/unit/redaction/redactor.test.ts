import { describe, expect, test } from 'vitest';
import {
  CAPTURE_FULL_WARNING,
  createRedactor,
  fingerprint,
  marker,
} from '../../../src/redaction/index.ts';
import { FAKE } from './shapes.ts';

const r = createRedactor({ env: { MY_DEPLOY_TOKEN: FAKE.env } });

describe('headers', () => {
  test('credential headers keep their scheme and a fingerprint, never the secret', () => {
    const out = r.headers({
      Authorization: `Bearer ${FAKE.openai}`,
      'x-api-key': FAKE.anthropic,
      'x-goog-api-key': FAKE.google,
      'api-key': 'azure-FAKE-0000',
      'proxy-authorization': 'Basic dXNlcjpwYXNz',
      'openai-organization': 'org-FAKE0123',
      'openai-project': 'proj_FAKE0123',
      'content-type': 'application/json',
    });
    expect(out).toEqual({
      Authorization: `Bearer [REDACTED:${fingerprint(FAKE.openai)}]`,
      'x-api-key': marker(FAKE.anthropic),
      'x-goog-api-key': marker(FAKE.google),
      'api-key': marker('azure-FAKE-0000'),
      'proxy-authorization': `Basic ${marker('dXNlcjpwYXNz')}`,
      'openai-organization': marker('org-FAKE0123'),
      'openai-project': marker('proj_FAKE0123'),
      'content-type': 'application/json',
    });
  });

  test('the fingerprint is the first 6 hex of sha256, the same on every run', () => {
    // printf 'sk-test-FAKE' | sha256sum
    expect(fingerprint('sk-test-FAKE')).toBe('c6565d');
    expect(createRedactor({ env: {} }).headers({ authorization: 'Bearer sk-test-FAKE' })).toEqual(
      r.headers({ authorization: 'Bearer sk-test-FAKE' }),
    );
  });

  test('cookies keep their names; set-cookie attributes are values too', () => {
    const out = r.headers({
      cookie: 'session=abc123; theme=dark',
      'set-cookie': '__cf_bm=xyz789; path=/',
    });
    expect(out.cookie).toBe(`session=${marker('abc123')}; theme=${marker('dark')}`);
    expect(out['set-cookie']).not.toContain('xyz789');
  });

  test('org ids can be kept; extra headers can be added', () => {
    const r2 = createRedactor({ env: {}, redactOrgIds: false, extraHeaders: ['X-Internal-Auth'] });
    expect(r2.headers({ 'openai-organization': 'org-FAKE', 'x-internal-auth': 'hunter2' })).toEqual(
      {
        'openai-organization': 'org-FAKE',
        'x-internal-auth': marker('hunter2'),
      },
    );
  });

  test('a secret in any other header is still caught by the detectors', () => {
    expect(r.headers({ 'x-custom': `token=${FAKE.github}` })['x-custom']).toBe(
      `token=${marker(FAKE.github)}`,
    );
  });
});

describe('url', () => {
  test.each([
    ['key', `/v1beta/models/gemini-2.5-flash:generateContent?key=${FAKE.google}&alt=sse`],
    ['api_key', '/v1/x?api_key=plainvalue123&a=1'],
    ['token', '/v1/x?a=1&token=abc.def.ghi'],
    ['access_token', '/v1/x?access_token=ya29.FAKE'],
    ['sig', '/blob?sig=FAKEsig%2Bvalue%3D&se=2026'],
    ['signature', '/blob?X-Amz-Signature=FAKE0123456789abcdef'],
  ])('the %s query parameter is scrubbed', (_name, url) => {
    const out = r.url(url);
    const secret = /(?:key|token|sig|signature|Signature)=([^&]+)/.exec(url)![1]!;
    expect(out).not.toContain(secret);
    expect(out).toContain('[REDACTED:');
    expect(out.split('?')[0]).toBe(url.split('?')[0]);
  });

  test('a URL without secrets comes back byte for byte', () => {
    const url = '/v1/messages?beta=true&x=a%20b&empty=&flag';
    expect(r.url(url)).toBe(url);
  });

  test('a key in the path is caught too', () => {
    expect(r.url(`/proxy/${FAKE.openai}/v1/responses`)).toBe(
      `/proxy/${marker(FAKE.openai)}/v1/responses`,
    );
  });
});

describe('value (deep walk)', () => {
  test('keys that name secrets are redacted when the value could be a credential', () => {
    const out = r.value({
      apiKey: 'short1',
      client_secret: 'cs',
      nested: [{ password: 'hunter2', db_password: 1234, GITHUB_TOKEN: 'abc' }],
      max_tokens: 100,
      prompt_cache_key: 'cache-1',
      thoughtSignature: 'c2lnbmF0dXJl',
      signature: 'EqQBCgIYAhIM',
    });
    // Too short, numbers and booleans cannot be credentials (issue 23; precision.test.ts).
    expect(out).toEqual({
      apiKey: marker('short1'),
      client_secret: 'cs',
      nested: [{ password: marker('hunter2'), db_password: 1234, GITHUB_TOKEN: 'abc' }],
      max_tokens: 100,
      prompt_cache_key: 'cache-1',
      thoughtSignature: 'c2lnbmF0dXJl',
      signature: 'EqQBCgIYAhIM',
    });
  });

  test('strings anywhere are scrubbed, including JSON-encoded tool arguments', () => {
    const out = r.value({
      a: [`x ${FAKE.slack}`],
      args: JSON.stringify({ api_key: 'sekrit-FAKE-99' }),
    });
    expect(JSON.stringify(out)).not.toContain(FAKE.slack);
    expect(JSON.stringify(out)).not.toContain('sekrit-FAKE-99');
  });

  test('the capturing process environment: *KEY, *TOKEN, *SECRET, *PASSWORD values', () => {
    const r2 = createRedactor({
      env: {
        DB_PASSWORD: 'pw-FAKE-12345',
        APP_SECRET: 'app-FAKE-secret',
        HOME: '/home/alice-FAKE-home',
        PORT_KEY: '8080',
        EMPTY_TOKEN: '',
      },
    });
    expect(r2.text('pw-FAKE-12345 app-FAKE-secret /home/alice-FAKE-home 8080')).toBe(
      `${marker('pw-FAKE-12345')} ${marker('app-FAKE-secret')} /home/alice-FAKE-home 8080`,
    );
  });

  test('pii can be turned off; secrets still go', () => {
    const r2 = createRedactor({ env: {}, pii: false });
    expect(r2.text(`${FAKE.email} ${FAKE.openai}`)).toBe(`${FAKE.email} ${marker(FAKE.openai)}`);
    expect(r2.policy).toEqual({ policy: 'default', pii: false });
  });

  test('the input is never mutated', () => {
    const input = { password: 'x1', list: [FAKE.openai] };
    r.value(input);
    expect(input).toEqual({ password: 'x1', list: [FAKE.openai] });
  });
});

test('capture full is recorded in the policy with a warning for the run header', () => {
  expect(createRedactor({ capture: 'full' }).policy).toEqual({
    policy: 'full',
    pii: true,
    warning: CAPTURE_FULL_WARNING,
  });
  expect(createRedactor().policy).toEqual({ policy: 'default', pii: true });
});
