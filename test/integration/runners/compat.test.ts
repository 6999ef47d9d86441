/**
 * The older runner lines: Vitest 3.2 and 4, Jest 29 (from test/compat, installed on demand by
 * the e2e project's global setup, test/support/test-packages.ts), each with the packed package in record, offline
 * replay and divergence scenarios. Each line gets its own folder whose node_modules holds that
 * runner under its real name and a copy of the installed package, so the package's
 * `import 'vitest'` finds the runner that runs it.
 */
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { isInstalled } from '../../support/test-packages.ts';
import { CHAT_TEST, VITEST_CONFIG } from './fixtures.ts';
import { installedPackage, REPO } from './package.ts';
import { closedPort, runIn } from './run.ts';

const COMPAT = path.join(REPO, 'test/compat/node_modules');
// The global setup installed it unless the registry could not deliver (then it said so).
const installed = isInstalled('test/compat');
if (!installed) {
  console.warn(
    'test/compat is not installed (npm ci --prefix test/compat): compat.test.ts SKIPPED',
  );
}

const JEST_CONFIG = `const { withReplayKit } = require('replaykit/jest');
module.exports = withReplayKit({ testEnvironment: 'node', testMatch: ['<rootDir>/*.test.js'] }, { autoCassette: true });
`;
const JEST_TEST = `const OpenAI = require('openai');
const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: process.env.FAKE_URL + '/v1', maxRetries: 0 });
const ask = async () =>
  (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: process.env.PROMPT || 'Hi' }] }))
    .choices[0].message.content;
describe('chat', () => {
  test('answers', async () => {
    expect(await ask()).toBe('Hello from the fake upstream.');
  });
  test('replays with parity', async () => {
    await expect('cassettes/chat.test.js/chat--answers.rpk').toReplayWithParity(ask);
  });
});
`;

const lines: {
  line: string;
  as: string;
  bin: string[];
  files: Record<string, string>;
  cassette: string;
  passed: string;
}[] = [
  {
    line: 'vitest3',
    as: 'vitest',
    bin: ['vitest.mjs', 'run'],
    files: { 'vitest.config.ts': VITEST_CONFIG, 'chat.test.ts': CHAT_TEST },
    cassette: 'cassettes/chat.test.ts/chat--streams-a-greeting.rpk',
    passed: 'Tests  4 passed | 1 skipped (5)',
  },
  {
    line: 'vitest4',
    as: 'vitest',
    bin: ['vitest.mjs', 'run'],
    files: { 'vitest.config.ts': VITEST_CONFIG, 'chat.test.ts': CHAT_TEST },
    cassette: 'cassettes/chat.test.ts/chat--streams-a-greeting.rpk',
    passed: 'Tests  4 passed | 1 skipped (5)',
  },
  {
    line: 'jest29',
    as: 'jest',
    bin: ['bin/jest.js', '--ci=false'],
    files: { 'jest.config.cjs': JEST_CONFIG, 'chat.test.js': JEST_TEST },
    cassette: 'cassettes/chat.test.js/chat--answers.rpk',
    passed: 'Tests:       2 passed, 2 total',
  },
];

let up: FakeUpstream;
beforeAll(async () => {
  if (installed) up = await startFakeUpstream();
}, 300_000);
afterAll(() => up?.close());

/** `<root>/compat-<line>-<pid>/{node_modules/{<runner>, replaykit}, project/}`. */
async function project(line: string, as: string, files: Record<string, string>): Promise<string> {
  const root = await installedPackage();
  const dir = path.join(root, `compat-${line}-${process.pid}-${Date.now()}`);
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  symlinkSync(path.join(COMPAT, line), path.join(dir, 'node_modules', as), 'junction');
  cpSync(path.join(root, 'base/node_modules/replaykit'), path.join(dir, 'node_modules/replaykit'), {
    recursive: true,
  });
  const proj = path.join(dir, 'project');
  mkdirSync(proj);
  writeFileSync(path.join(proj, 'package.json'), '{ "name": "compat", "private": true }\n');
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(proj, file), text);
  return proj;
}

describe.runIf(installed).each(lines)('$line', ({ line, as, bin, files, cassette, passed }) => {
  test('records, replays offline, and fails a divergence with the first difference', async () => {
    const proj = await project(line, as, files);
    const run = (env: Record<string, string>) =>
      runIn(proj, [path.join(COMPAT, line, bin[0]!), ...bin.slice(1)], env);

    const recorded = await run({ REPLAYKIT_MODE: 'record', FAKE_URL: up.url });
    expect(recorded.output).toContain(passed);
    expect(recorded.exitCode).toBe(0);
    expect(recorded.output).toContain(`  recorded ${cassette}`);

    const offline = `http://127.0.0.1:${await closedPort()}`;
    const replayed = await run({ REPLAYKIT_MODE: 'replay', FAKE_URL: offline });
    expect(replayed.output).toContain(passed);
    expect(replayed.exitCode).toBe(0);
    expect(replayed.output).toContain(`  replayed ${cassette}`);

    const diverged = await run({ REPLAYKIT_MODE: 'replay', FAKE_URL: offline, PROMPT: 'Hello' });
    expect(diverged.exitCode).toBe(1);
    expect(diverged.output).toMatch(/expect\(cassette\)\.toReplayWithParity\(run\)\n/);
    const indent = as === 'jest' ? '    ' : '';
    expect(diverged.output).toContain(
      [
        `[replaykit] Replay divergence in ${cassette}: the live request does not match exchange #0 (openai chat.completions, POST /v1/chat/completions).`,
        'First difference at body.messages[0].content',
        '',
        'Expected: "Hi"',
        'Received: "Hello"',
      ]
        .map((l) => (l ? indent + l : ''))
        .join('\n'),
    );
  }, 180_000);
});
