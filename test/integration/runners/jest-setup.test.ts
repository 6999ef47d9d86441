/**
 * `replaykit/jest` from the packed tarball in real Jest 30 runs: a CommonJS project compiled by
 * ts-jest (Anthropic tool use) and a native ESM project (OpenAI), in record, offline replay and
 * divergence scenarios.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { fixtureProject } from './package.ts';
import { JEST, runIn } from './run.ts';

const CJS_CONFIG = `const { withReplayKit } = require('replaykit/jest');

module.exports = withReplayKit(
  {
    testEnvironment: 'node',
    testMatch: ['<rootDir>/*.test.ts'],
    transform: { '^.+\\\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', esModuleInterop: true, isolatedModules: true } }] },
  },
  { autoCassette: true },
);
`;

const CJS_TEST = `import Anthropic from '@anthropic-ai/sdk';
import { expectReplayParity } from 'replaykit/jest';

const anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: process.env.FAKE_URL, maxRetries: 0 });
const CASSETTE = 'cassettes/weather.test.ts/weather-agent--calls-the-weather-tool.rpk';

const ask = () =>
  anthropic.messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 200,
    tools: [{ name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
    messages: [{ role: 'user', content: process.env.PROMPT ?? 'Weather in Paris?' }],
  });

describe('weather agent', () => {
  test('calls the weather tool', async () => {
    const message = await ask();
    const call = message.content.find((block) => block.type === 'tool_use');
    expect(call).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
  });

  test('replays with parity (matcher)', async () => {
    await expect(CASSETTE).toReplayWithParity(ask);
  });

  test('replays with parity (standalone)', async () => {
    await expectReplayParity(CASSETTE, ask);
  });
});
`;

const ESM_CONFIG = `import { withReplayKit } from 'replaykit/jest';

export default withReplayKit(
  { testEnvironment: 'node', testMatch: ['<rootDir>/*.test.mjs'], transform: {} },
  { autoCassette: true },
);
`;

const ESM_TEST = `import OpenAI from 'openai';

const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: \`\${process.env.FAKE_URL}/v1\`, maxRetries: 0 });

describe('esm', () => {
  test('answers', async () => {
    const response = await openai.responses.create({ model: 'gpt-5', input: process.env.PROMPT ?? 'Hi' });
    expect(response.output_text).toBe('Hello from the fake upstream.');
  });
});
`;

let up: FakeUpstream;
let cjs: string;
let esm: string;
let offline = '';

beforeAll(async () => {
  up = await startFakeUpstream();
  up.reply((req) =>
    req.provider === 'anthropic'
      ? { kind: 'tool', calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }
      : undefined,
  );
  [cjs, esm] = await Promise.all([
    fixtureProject('jest-cjs', {
      'package.json': '{ "name": "fixture-cjs", "private": true }\n',
      'jest.config.cjs': CJS_CONFIG,
      'weather.test.ts': CJS_TEST,
    }),
    fixtureProject('jest-esm', {
      'package.json': '{ "name": "fixture-esm", "private": true, "type": "module" }\n',
      'jest.config.mjs': ESM_CONFIG,
      'answer.test.mjs': ESM_TEST,
    }),
  ]);
}, 300_000);
afterAll(() => up?.close());

const ESM_ENV = { NODE_OPTIONS: '--experimental-vm-modules --no-warnings' };
const CJS_CASSETTE = 'cassettes/weather.test.ts/weather-agent--calls-the-weather-tool.rpk';
const ESM_CASSETTE = 'cassettes/answer.test.mjs/esm--answers.rpk';

describe('replaykit/jest in real jest runs', () => {
  test('record mode (CommonJS via ts-jest, and native ESM) writes per-test cassettes', async () => {
    const [a, b] = await Promise.all([
      runIn(cjs, JEST, { REPLAYKIT_MODE: 'record', FAKE_URL: up.url }),
      runIn(esm, JEST, { REPLAYKIT_MODE: 'record', FAKE_URL: up.url, ...ESM_ENV }),
    ]);
    expect(a.output).toContain('Tests:       3 passed, 3 total');
    expect(a.exitCode).toBe(0);
    expect(b.output).toContain('Tests:       1 passed, 1 total');
    expect(b.exitCode).toBe(0);
    expect(existsSync(path.join(cjs, CJS_CASSETTE))).toBe(true);
    expect(existsSync(path.join(esm, ESM_CASSETTE))).toBe(true);
    expect(a.output).toContain(
      ['[replaykit] cassettes: 1 used, 0 missing, 0 unused', `  recorded ${CJS_CASSETTE}`].join(
        '\n',
      ),
    );
    expect(b.output).toContain(`  recorded ${ESM_CASSETTE}`);
  }, 120_000);

  test('replay mode passes offline in both module systems', async () => {
    offline = up.url;
    await up.close();
    const [a, b] = await Promise.all([
      runIn(cjs, JEST, { REPLAYKIT_MODE: 'replay', FAKE_URL: offline }),
      runIn(esm, JEST, { REPLAYKIT_MODE: 'replay', FAKE_URL: offline, ...ESM_ENV }),
    ]);
    expect(a.output).toContain('Tests:       3 passed, 3 total');
    expect(a.exitCode).toBe(0);
    expect(b.output).toContain('Tests:       1 passed, 1 total');
    expect(b.exitCode).toBe(0);
    expect(a.output).toContain(`  replayed ${CJS_CASSETTE}`);
    expect(b.output).toContain(`  replayed ${ESM_CASSETTE}`);
    // Issue 20 item 4: the tokens served from cassettes and their live cost, as of the table's date.
    for (const run of [a, b]) {
      expect(run.output).toMatch(
        /\[replaykit\] served from cassettes: [\d,]+ tokens \([\d,]+ in, [\d,]+ out\), \$\d+\.\d+ if live \(prices of \d{4}-\d{2}-\d{2}\)/,
      );
    }
  }, 120_000);

  test('the report lists a cassette whose test file is gone as unused (issue 20 item 3)', async () => {
    const gone = 'cassettes/deleted.test.ts/old-test.rpk';
    mkdirSync(path.join(cjs, 'cassettes/deleted.test.ts'), { recursive: true });
    copyFileSync(path.join(cjs, CJS_CASSETTE), path.join(cjs, gone));
    try {
      const run = await runIn(cjs, JEST, { REPLAYKIT_MODE: 'replay', FAKE_URL: offline });
      expect(run.exitCode, run.output).toBe(0);
      expect(run.output).toContain('[replaykit] cassettes: 1 used, 0 missing, 1 unused');
      expect(run.output).toContain(`  unused   ${gone}`);
    } finally {
      rmSync(path.join(cjs, 'cassettes/deleted.test.ts'), { recursive: true, force: true });
    }
  }, 120_000);

  test('a changed request fails with the first divergence in the Jest format', async () => {
    const run = await runIn(cjs, JEST, {
      REPLAYKIT_MODE: 'replay',
      FAKE_URL: offline,
      PROMPT: 'Weather in Rome?',
    });
    expect(run.exitCode).toBe(1);
    expect(run.output).toContain('Tests:       3 failed, 3 total');
    // Jest indents a failure message by four spaces.
    const indent = (lines: string[]) => lines.map((l) => (l ? `    ${l}` : '')).join('\n');
    expect(run.output).toContain(
      indent([
        'expect(cassette).toReplayWithParity(run)',
        '',
        `[replaykit] Replay divergence in ${CJS_CASSETTE}: the live request does not match exchange #0 (anthropic messages, POST /v1/messages).`,
        'First difference at body.messages[0].content',
        '',
        'Expected: "Weather in Paris?"',
        'Received: "Weather in Rome?"',
        '',
        '- Recorded',
        '+ Live',
      ]),
    );
    // Jest's own diff of the recorded and the live request.
    expect(run.output).toContain(
      indent([
        '-         "content": "Weather in Paris?",',
        '+         "content": "Weather in Rome?",',
      ]),
    );
    // The test's own cassette (autoCassette) diverged in replay: Jest reports the SDK's 400, then
    // the divergence, which names the conversation-level HTML diff (issue 19).
    const own =
      /● weather agent › calls the weather tool\n\n {4}ReplayDivergenceError: ([\s\S]*?)\n {2}● /.exec(
        run.output,
      )?.[1];
    expect(own, run.output).toContain(`[replaykit] Replay divergence in ${CJS_CASSETTE}`);
    const page = /\n {4,}HTML diff: (replaykit-report\/[\w.-]+-[0-9a-f]{6}\.diff\.html)/.exec(
      own!,
    )?.[1];
    expect(page, own).toMatch(/^replaykit-report\/weather-agent--calls-the-weather-tool-/);
    expect(readFileSync(path.join(cjs, page!), 'utf8')).toContain('"kind":"diff"');
    expect(run.output).toContain(`  diverged ${CJS_CASSETTE}`);
  }, 120_000);

  test('a test file that fails to load: its cassettes are not called unused', async () => {
    // Issue 22: the report called a valid cassette unused (and suggested deleting it) because its
    // test file did not load, so none of its tests ran.
    mkdirSync(path.join(cjs, 'cassettes/broken.test.ts'), { recursive: true });
    copyFileSync(
      path.join(cjs, CJS_CASSETTE),
      path.join(cjs, 'cassettes/broken.test.ts/broken--works.rpk'),
    );
    writeFileSync(
      path.join(cjs, 'broken.test.ts'),
      "throw new Error('broken on purpose');\ntest('works', () => {});\nexport {};\n",
    );
    try {
      const run = await runIn(cjs, JEST, { REPLAYKIT_MODE: 'replay', FAKE_URL: offline });
      expect(run.exitCode).toBe(1);
      expect(run.output).toContain('broken on purpose');
      expect(run.output).toContain('[replaykit] cassettes: 1 used, 0 missing, 0 unused');
      expect(run.output).not.toContain('unused   cassettes/broken.test.ts');
    } finally {
      rmSync(path.join(cjs, 'broken.test.ts'));
    }
  }, 120_000);
});
