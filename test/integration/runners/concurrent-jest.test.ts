/**
 * Issue 24: Jest's `test.concurrent` with four tests in a real Jest run (native ESM), each
 * streaming through one module-level client: each test records its own cassette (exactly its own
 * exchanges), then replays offline (a tripwire on the stopped upstream's port) and with `CI=true`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { startTripwire, type Tripwire } from '../../support/tripwire.ts';
import { fixtureProject } from './package.ts';
import { JEST, runIn } from './run.ts';

const NAMES = ['north', 'south', 'east', 'west'];

const CONFIG = `import { withReplayKit } from 'replaykit/jest';

export default withReplayKit(
  { testEnvironment: 'node', testMatch: ['<rootDir>/*.test.mjs'], transform: {} },
  { autoCassette: true },
);
`;

const CONCURRENT_TEST = `import OpenAI from 'openai';

// Module level, before any scope: every test shares it.
const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: \`\${process.env.FAKE_URL}/v1\`, maxRetries: 0 });

async function ask(content) {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content }],
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

describe('winds', () => {
${NAMES.map(
  (name) => `  test.concurrent('${name}', async () => {
    expect(await ask('${name} 1')).toBe('echo ${name} 1');
    expect(await ask('${name} 2')).toBe('echo ${name} 2');
  });`,
).join('\n')}
});
`;

const ESM_ENV = { NODE_OPTIONS: '--experimental-vm-modules --no-warnings' };
let up: FakeUpstream;
let project: string;
let tripwire: Tripwire | null = null;

beforeAll(async () => {
  up = await startFakeUpstream();
  up.reply((req) => ({
    kind: 'text',
    text: `echo ${(req.body as { messages: { content: string }[] }).messages[0]!.content}`,
    delayMs: 5,
  }));
  project = await fixtureProject('jest-concurrent', {
    'package.json': '{ "name": "fixture-concurrent", "private": true, "type": "module" }\n',
    'jest.config.mjs': CONFIG,
    'winds.test.mjs': CONCURRENT_TEST,
  });
}, 300_000);
afterAll(async () => {
  await tripwire?.close();
  await up?.close();
});

const cassette = (name: string) =>
  path.join(project, `cassettes/winds.test.mjs/winds--${name}.rpk`);

function prompts(name: string): string[] {
  return readFileSync(cassette(name), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"type":"model.request"'))
    .map((line) => /"content":"([^"]*)"/.exec(line)?.[1] ?? line);
}

test('test.concurrent: each of 4 tests records its own cassette, replays offline and on CI', async () => {
  const recorded = await runIn(project, JEST, {
    REPLAYKIT_MODE: 'record',
    FAKE_URL: up.url,
    ...ESM_ENV,
  });
  expect(recorded.output).toContain('Tests:       4 passed, 4 total');
  expect(recorded.exitCode).toBe(0);
  for (const name of NAMES) expect(prompts(name)).toEqual([`${name} 1`, `${name} 2`]);

  const url = up.url;
  await up.close();
  tripwire = await startTripwire(up.port);
  const replayed = await runIn(project, JEST, {
    REPLAYKIT_MODE: 'replay',
    FAKE_URL: url,
    ...ESM_ENV,
  });
  expect(replayed.output).toContain('Tests:       4 passed, 4 total');
  const ci = await runIn(project, JEST, { CI: 'true', FAKE_URL: url, ...ESM_ENV });
  expect(ci.output).toContain('Tests:       4 passed, 4 total');
  expect(ci.exitCode).toBe(0);
  expect(tripwire.hits).toEqual([]);
}, 300_000);
