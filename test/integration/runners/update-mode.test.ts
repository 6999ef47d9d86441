/**
 * `REPLAYKIT_MODE=update` (issue 20 item 1) through the packed `replaykit/vitest` and
 * `replaykit/jest` in real runner processes: a two-turn conversation is recorded, its second turn
 * changed, and the update run keeps the first exchange byte for byte and re-records the second.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { VITEST_CONFIG } from './fixtures.ts';
import { fixtureProject } from './package.ts';
import { closedPort, JEST, runIn, VITEST } from './run.ts';

/** Two turns; the second prompt comes from SECOND. The reply names its prompt. */
const body = (imports: string) => `${imports}
const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: \`\${process.env.FAKE_URL}/v1\`, maxRetries: 0 });

async function ask(messages) {
  const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
  return r.choices[0].message.content;
}

describe('talk', () => {
  test('two turns', async () => {
    const messages = [{ role: 'user', content: 'first' }];
    const one = await ask(messages);
    messages.push({ role: 'assistant', content: one }, { role: 'user', content: process.env.SECOND ?? 'second' });
    const two = await ask(messages);
    expect(one).toBe('reply to first');
    expect(two).toBe(\`reply to \${process.env.SECOND ?? 'second'}\`);
  });
});
`;

const JEST_CONFIG = `import { withReplayKit } from 'replaykit/jest';

export default withReplayKit(
  { testEnvironment: 'node', testMatch: ['<rootDir>/*.test.mjs'], transform: {} },
  { autoCassette: true },
);
`;

let up: FakeUpstream;
let vitestProject: string;
let jestProject: string;

beforeAll(async () => {
  up = await startFakeUpstream();
  up.reply((req) => {
    const messages = (req.body as { messages?: { content: string }[] }).messages ?? [];
    return { kind: 'text', text: `reply to ${messages.at(-1)?.content}` };
  });
  [vitestProject, jestProject] = await Promise.all([
    fixtureProject('update-vitest', {
      'package.json': '{ "name": "fixture", "private": true, "type": "module" }\n',
      'vitest.config.ts': VITEST_CONFIG,
      'talk.test.ts': body(
        "import OpenAI from 'openai';\nimport { describe, expect, test } from 'vitest';",
      ),
    }),
    fixtureProject('update-jest', {
      'package.json': '{ "name": "fixture-esm", "private": true, "type": "module" }\n',
      'jest.config.mjs': JEST_CONFIG,
      'talk.test.mjs': body("import OpenAI from 'openai';"),
    }),
  ]);
}, 300_000);
afterAll(() => up?.close());

/** The lines of a cassette's first exchange. */
function firstExchange(file: string): string[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const first = (JSON.parse(lines[1]!) as { correlation_id: string }).correlation_id;
  return lines.filter(
    (l) => (JSON.parse(l) as { correlation_id?: string }).correlation_id === first,
  );
}

const runners = [
  {
    name: 'vitest',
    project: () => vitestProject,
    bin: VITEST,
    cassette: 'cassettes/talk.test.ts/talk--two-turns.rpk',
    env: {},
  },
  {
    name: 'jest',
    project: () => jestProject,
    bin: JEST,
    cassette: 'cassettes/talk.test.mjs/talk--two-turns.rpk',
    env: { NODE_OPTIONS: '--experimental-vm-modules --no-warnings' },
  },
];

describe.each(runners)('REPLAYKIT_MODE=update under $name', (runner) => {
  test('keeps the unchanged first turn byte for byte and re-records the changed second', async () => {
    const cwd = runner.project();
    const file = path.join(cwd, runner.cassette);
    const recorded = await runIn(cwd, runner.bin, {
      ...runner.env,
      REPLAYKIT_MODE: 'record',
      FAKE_URL: up.url,
    });
    expect(recorded.exitCode, recorded.output).toBe(0);
    const kept = firstExchange(file);
    const before = up.received.length;

    const updated = await runIn(cwd, runner.bin, {
      ...runner.env,
      REPLAYKIT_MODE: 'update',
      FAKE_URL: up.url,
      SECOND: 'changed',
    });
    expect(updated.exitCode, updated.output).toBe(0);
    expect(updated.output).toContain('kept 1 (#0), replaced 1 (#1), added 0, dropped 0');
    // Only the changed turn went out.
    expect(up.received.length - before).toBe(1);
    expect(up.received.at(-1)?.bodyText).toContain('changed');
    expect(firstExchange(file)).toEqual(kept);

    // The updated cassette replays the changed test offline.
    const replayed = await runIn(cwd, runner.bin, {
      ...runner.env,
      REPLAYKIT_MODE: 'replay',
      FAKE_URL: `http://127.0.0.1:${await closedPort()}`,
      SECOND: 'changed',
    });
    expect(replayed.exitCode, replayed.output).toBe(0);
  }, 240_000);
});
