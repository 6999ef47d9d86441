/**
 * Issue 24: `describe.concurrent` with four tests in a real Vitest run, each streaming through one
 * module-level client: each test records its own cassette (exactly its own exchanges), then replays
 * offline (a tripwire on the stopped upstream's port) and with `CI=true`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { startTripwire, type Tripwire } from '../../support/tripwire.ts';
import { VITEST_CONFIG } from './fixtures.ts';
import { fixtureProject } from './package.ts';
import { runIn, VITEST } from './run.ts';

const NAMES = ['north', 'south', 'east', 'west'];

const CONCURRENT_TEST = `import OpenAI from 'openai';
import { describe, expect, test } from 'vitest';

// Module level, before any scope: every test shares it.
const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: \`\${process.env.FAKE_URL}/v1\`, maxRetries: 0 });

async function ask(content: string): Promise<string> {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content }],
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

describe.concurrent('winds', () => {
${NAMES.map(
  (name) => `  test('${name}', async () => {
    expect(await ask('${name} 1')).toBe('echo ${name} 1');
    expect(await ask('${name} 2')).toBe('echo ${name} 2');
  });`,
).join('\n')}
});
`;

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
  project = await fixtureProject('vitest-concurrent', {
    'package.json': '{ "name": "fixture", "private": true, "type": "module" }\n',
    'vitest.config.ts': VITEST_CONFIG,
    'winds.test.ts': CONCURRENT_TEST,
  });
}, 300_000);
afterAll(async () => {
  await tripwire?.close();
  await up?.close();
});

const cassette = (name: string) => path.join(project, `cassettes/winds.test.ts/winds--${name}.rpk`);

/** The prompts of a cassette's requests, in order. */
function prompts(name: string): string[] {
  return readFileSync(cassette(name), 'utf8')
    .split('\n')
    .filter((line) => line.includes('"type":"model.request"'))
    .map((line) => /"content":"([^"]*)"/.exec(line)?.[1] ?? line);
}

test('describe.concurrent: each of 4 tests records its own cassette, replays offline and on CI', async () => {
  const recorded = await runIn(project, VITEST, { REPLAYKIT_MODE: 'record', FAKE_URL: up.url });
  expect(recorded.output).toContain('Tests  4 passed (4)');
  expect(recorded.exitCode).toBe(0);
  for (const name of NAMES) expect(prompts(name)).toEqual([`${name} 1`, `${name} 2`]);
  expect(recorded.output).toContain('[replaykit] cassettes: 4 used, 0 missing, 0 unused');

  const url = up.url;
  await up.close();
  tripwire = await startTripwire(up.port);
  const replayed = await runIn(project, VITEST, { REPLAYKIT_MODE: 'replay', FAKE_URL: url });
  expect(replayed.output).toContain('Tests  4 passed (4)');
  expect(replayed.output).toContain('[replaykit] cassettes: 4 used, 0 missing, 0 unused');
  const ci = await runIn(project, VITEST, { CI: 'true', FAKE_URL: url });
  expect(ci.output).toContain('Tests  4 passed (4)');
  expect(ci.exitCode).toBe(0);
  expect(tripwire.hits).toEqual([]);
}, 300_000);
