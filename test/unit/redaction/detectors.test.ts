import { describe, expect, test } from 'vitest';
import { detectSecrets } from '../../../src/redaction/index.ts';
import { FAKE } from './shapes.ts';

const names = (text: string, pii = true) =>
  detectSecrets(text, { env: { DEPLOY_TOKEN: FAKE.env }, pii }).map((f) => f.detector);

/** [detector, text with the secret in context, the secret itself] */
const POSITIVE: [string, string, string][] = [
  ['openai-key', `OPENAI says: ${FAKE.openai}.`, FAKE.openai],
  [
    'openai-key',
    `legacy sk-FAKEtestKEY0123456789abcdefghijklmnopqrstuvwx here`,
    'sk-FAKEtestKEY0123456789abcdefghijklmnopqrstuvwx',
  ],
  ['openai-key', `svc ${FAKE.openaiSvc}`, FAKE.openaiSvc],
  ['anthropic-key', `"${FAKE.anthropic}"`, FAKE.anthropic],
  ['google-api-key', `?key=${FAKE.google}&alt=sse`, FAKE.google],
  ['github-token', `push with ${FAKE.github}`, FAKE.github],
  ['github-token', `pat: ${FAKE.githubPat}`, FAKE.githubPat],
  ['slack-token', `slack ${FAKE.slack}`, FAKE.slack],
  ['aws-access-key-id', `id=${FAKE.awsId};`, FAKE.awsId],
  ['aws-secret-key', `aws_secret_access_key = ${FAKE.awsSecret}`, FAKE.awsSecret],
  ['jwt', `token ${FAKE.jwt} end`, FAKE.jwt],
  ['pem-private-key', `key:\n${FAKE.pem}\n`, FAKE.pem],
  ['bearer-token', `curl -H "Authorization: Bearer ${FAKE.bearer}"`, FAKE.bearer],
  ['secret-assignment', '{"db_password": "correct-horse-battery"}', 'correct-horse-battery'],
  ['secret-assignment', 'STRIPE_SECRET=rk_live_FAKE0123456789', 'rk_live_FAKE0123456789'],
  ['email', `write to ${FAKE.email}.`, FAKE.email],
  ['phone', `call ${FAKE.phone} now`, FAKE.phone],
  ['phone', 'call (555) 123-4567 now', '(555) 123-4567'],
  ['card-number', `card ${FAKE.card} exp 12/30`, FAKE.card],
  ['card-number', 'amex 378282246310005', '378282246310005'],
  ['env:DEPLOY_TOKEN', `value ${FAKE.env} here`, FAKE.env],
];

describe('each detector finds its secret, exactly where it is', () => {
  test.each(POSITIVE)('%s in %j', (detector, text, secret) => {
    const found = detectSecrets(text, { env: { DEPLOY_TOKEN: FAKE.env } });
    expect(found).toHaveLength(1);
    // PII findings also say what matched (test/unit/redaction/precision.test.ts).
    expect(found[0]).toMatchObject({
      detector,
      start: text.indexOf(secret),
      end: text.indexOf(secret) + secret.length,
    });
  });
});

test('an AWS key id brings its secret key with it, without a label', () => {
  expect(names(`creds ${FAKE.awsId} ${FAKE.awsSecret}`)).toEqual([
    'aws-access-key-id',
    'aws-secret-key',
  ]);
});

test('a PEM key header alone (one line of a file, a truncated stream) is still a finding', () => {
  expect(names('-----BEGIN OPENSSH PRIVATE KEY-----')).toEqual(['pem-private-key']);
});

const NEGATIVE: [string, string][] = [
  [
    'prose',
    'The task was to ask the model to summarise the meeting notes and skip the small talk.',
  ],
  [
    'prose mentioning keys',
    'Set OPENAI_API_KEY in your shell; the bearer of this letter is a friend. Use a Bearer token.',
  ],
  [
    'TypeScript',
    'const apiKey = process.env.OPENAI_API_KEY;\nexport function token(x: string) { return x.split("-"); }\nconst password = getPassword(user);',
  ],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell-style placeholder.
  ['placeholder assignments', '{"api_key": "${OPENAI_API_KEY}", "password": "********"}'],
  [
    'token counts',
    '{"usage": {"input_tokens": 1234567890, "output_tokens": 42}, "max_tokens": 4096}',
  ],
  ['sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  [
    'sha1',
    'da39a3ee5e6b4b0d3255bfef95601890afd80709 and git 4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  ],
  ['UUIDs', '123e4567-e89b-12d3-a456-426614174000 550e8400-e29b-41d4-a716-446655440000'],
  ['ISO dates and times', '2026-11-24T10:00:00.000Z and 2026-11-24 and 24/11/2026 10:00'],
  ['version strings', 'node v20.20.0, codex-cli 0.169.0, Claude Code 2.1.197, 1.2.3-beta.4'],
  [
    'timestamps and ids',
    '1732406400000 1732406400 resp_0123456789abcdef msg_01XFDUDYJgAACzvnptvVoYEL',
  ],
  ['task ids with sk-', 'task-sk-abcdefghijklmnopqrstuvwxyz and risk-assessment-report-2026-final'],
  ['file names and packages', 'icon@2x.png, @types/node, foo@1.2.3, git+ssh'],
  ['IP addresses and ports', '192.168.100.200:8080 and 10.0.0.1'],
  ['numbers failing Luhn', '4111 1111 1111 1112 and 1234567812345678'],
  ['markers', 'Bearer [REDACTED:3f9a1c] {"api_key": "[REDACTED:3f9a1c]"}'],
];

describe('ordinary text is left alone', () => {
  test.each(NEGATIVE)('%s', (_name, text) => {
    expect(names(text)).toEqual([]);
  });

  test('base64 of an image', () => {
    const bytes = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 7919 + (i >> 3)) % 256));
    const b64 = `data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA${bytes.toString('base64')}`;
    expect(names(b64)).toEqual([]);
  });

  test('pii: false turns off emails, phones and cards but not keys', () => {
    expect(names(`${FAKE.email} ${FAKE.phone} ${FAKE.card} ${FAKE.openai}`, false)).toEqual([
      'openai-key',
    ]);
  });
});
