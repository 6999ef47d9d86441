import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { replaypack } from '../../support/cli.ts';
import { FAKE } from '../../unit/redaction/shapes.ts';

const ENV_VALUE = 'scan-FAKE-env-value-0042';
/** One planted secret per line: [detector (and what PII matched), line text, the secret]. */
const PLANTED: [string, string, string][] = [
  ['openai-key', `{"authorization":"Bearer ${FAKE.openai}"}`, FAKE.openai],
  ['anthropic-key', `x-api-key: ${FAKE.anthropic}`, FAKE.anthropic],
  ['google-api-key', `GET /v1beta/models/g:generateContent?key=${FAKE.google}`, FAKE.google],
  ['github-token', `git push https://${FAKE.github}@github.com/o/r`, FAKE.github],
  ['slack-token', `slack=${FAKE.slack}`, FAKE.slack],
  ['aws-access-key-id', `aws_access_key_id = ${FAKE.awsId}`, FAKE.awsId],
  ['aws-secret-key', `aws_secret_access_key = ${FAKE.awsSecret}`, FAKE.awsSecret],
  ['jwt', `{"id_token_in_text": "got ${FAKE.jwt}"}`, FAKE.jwt],
  ['pem-private-key', JSON.stringify({ output: FAKE.pem }), 'MIIEvFAKEtestKEY'],
  ['bearer-token', `curl -H 'Authorization: Bearer ${FAKE.bearer}'`, FAKE.bearer],
  [
    'secret-assignment',
    '{"arguments":"{\\"db_password\\":\\"correct-horse-FAKE\\"}"}',
    'correct-horse-FAKE',
  ],
  ['email (e-mail address at a .com domain)', `contact ${FAKE.email}`, FAKE.email],
  ['phone (international phone number, 12 digits)', `phone ${FAKE.phone}`, FAKE.phone],
  ['card-number (Visa card number, 16 digits, Luhn-valid)', `card ${FAKE.card}`, FAKE.card],
  ['env:SCAN_TEST_TOKEN', `echo ${ENV_VALUE}`, ENV_VALUE],
];
const CLEAN = [
  'The model summarised the meeting notes; sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.',
  '{"id":"123e4567-e89b-12d3-a456-426614174000","created_at":"2026-11-24T10:00:00Z","version":"0.169.0"}',
  '{"authorization":"Bearer [REDACTED:3f9a1c]","usage":{"input_tokens":1234}}',
];

let dir: string;
const env = { SCAN_TEST_TOKEN: ENV_VALUE };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rk-scan-'));
  // Every planted line between clean lines, so line numbers are not trivially 1..n.
  const lines = PLANTED.flatMap(([, text], i) => [CLEAN[i % CLEAN.length]!, text]);
  await writeFile(join(dir, 'crafted.rpk'), `${lines.join('\n')}\n`);
  await mkdir(join(dir, 'logs'));
  await writeFile(join(dir, 'logs', 'clean.log'), `${CLEAN.join('\n')}\n`);
  await writeFile(join(dir, 'logs', 'run.log'), `start\r\nleaked ${FAKE.openai}\r\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('scan finds every planted secret with file:line and detector, and never prints one', async () => {
  const file = join(dir, 'crafted.rpk');
  const r = await replaypack(['scan', file], { env });
  expect(r.exitCode).toBe(1);
  const expected = PLANTED.map(([detector], i) => `${file}:${2 * i + 2}: ${detector}`);
  expect(r.stdout.trim().split('\n')).toEqual(expected);
  expect(r.stderr).toContain(
    `[replaykit] Found ${PLANTED.length} possible secret(s) in 1 of 1 file(s).`,
  );
  for (const [, , secret] of PLANTED) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
});

test('--json prints findings and files_scanned; globs expand through tinyglobby', async () => {
  const r = await replaypack(['scan', '--json', 'logs/*.log', 'crafted.rpk'], { env, cwd: dir });
  expect(r.exitCode).toBe(1);
  const out = JSON.parse(r.stdout) as {
    findings: { file: string; line: number; detector: string }[];
    files_scanned: number;
  };
  expect(out.files_scanned).toBe(3);
  expect(out.findings).toContainEqual({ file: 'logs/run.log', line: 2, detector: 'openai-key' });
  expect(out.findings.filter((f) => f.file === 'crafted.rpk')).toHaveLength(PLANTED.length);
  expect(out.findings.some((f) => f.file === 'logs/clean.log')).toBe(false);
  // PII findings say what matched, never the value; secret findings carry no description.
  expect(out.findings).toContainEqual({
    file: 'crafted.rpk',
    line: 24,
    detector: 'email',
    matched: 'e-mail address at a .com domain',
  });
  expect(out.findings.find((f) => f.detector === 'openai-key')).not.toHaveProperty('matched');
  expect(r.stdout).not.toContain(FAKE.openai);
});

test('a clean file exits 0; a directory is scanned recursively', async () => {
  const clean = await replaypack(['scan', join(dir, 'logs', 'clean.log')], { env });
  expect(clean.exitCode).toBe(0);
  expect(clean.stdout).toBe('');
  expect(clean.stderr).toContain('[replaykit] No secrets found in 1 file(s).');
  const tree = await replaypack(['scan', '--json', dir], { env });
  expect(JSON.parse(tree.stdout).files_scanned).toBe(3);
});

test('--no-pii skips emails, phones and cards', async () => {
  const r = await replaypack(['scan', '--json', '--no-pii', join(dir, 'crafted.rpk')], { env });
  const detectors = (JSON.parse(r.stdout).findings as { detector: string }[]).map(
    (f) => f.detector,
  );
  expect(detectors).not.toContain('email');
  expect(detectors).toContain('openai-key');
});

test('a missing path exits 4 and says which; no path at all is a usage error (exit 2)', async () => {
  const missing = await replaypack(['scan', join(dir, 'nope.rpk')], { env });
  expect(missing.exitCode).toBe(4);
  expect(missing.stderr).toContain(
    `[replaykit] Failed to scan "${join(dir, 'nope.rpk')}": ENOENT.`,
  );
  const glob = await replaypack(['scan', 'nothing/*.rpk'], { env, cwd: dir });
  expect(glob.exitCode).toBe(4);
  expect(glob.stderr).toContain('no file matches');
  const none = await replaypack(['scan']);
  expect(none.exitCode).toBe(2);
});
