/**
 * The Vitest plugin from the packed tarball, in a fixture project run by a real `vitest`:
 * record against the fake upstream, replay offline, diverge, a missing and an unused cassette.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { CHAT_TEST, VITEST_CONFIG as CONFIG } from './fixtures.ts';
import { fixtureProject } from './package.ts';
import { runIn, VITEST } from './run.ts';

let up: FakeUpstream;
let project: string;

beforeAll(async () => {
  up = await startFakeUpstream();
  project = await fixtureProject('vitest-plugin', {
    'package.json': '{ "name": "fixture", "private": true, "type": "module" }\n',
    'vitest.config.ts': CONFIG,
    'chat.test.ts': CHAT_TEST,
  });
}, 300_000);
afterAll(() => up?.close());

const CASSETTE = 'cassettes/chat.test.ts/chat--streams-a-greeting.rpk';
/** The fake upstream's address once it is closed: replay must not need the network. */
let OFFLINE = '';

describe('replaykit/vitest in a real vitest run', () => {
  test('record mode writes one cassette per test that called a provider, and reports it', async () => {
    const run = await runIn(project, VITEST, { REPLAYKIT_MODE: 'record', FAKE_URL: up.url });
    expect(run.output).toContain('Tests  4 passed | 1 skipped (5)');
    expect(run.exitCode).toBe(0);
    expect(existsSync(path.join(project, CASSETTE))).toBe(true);
    // The test without provider traffic leaves no empty cassette behind.
    expect(
      existsSync(path.join(project, 'cassettes/chat.test.ts/chat--makes-no-provider-call.rpk')),
    ).toBe(false);
    expect(run.output).toContain(
      ['[replaykit] cassettes: 1 used, 0 missing, 0 unused', `  recorded ${CASSETTE}`].join('\n'),
    );
  }, 120_000);

  test('replay mode passes offline and reports what was replayed', async () => {
    OFFLINE = up.url;
    await up.close();
    const run = await runIn(project, VITEST, { REPLAYKIT_MODE: 'replay', FAKE_URL: OFFLINE });
    expect(run.output).toContain('Tests  4 passed | 1 skipped (5)');
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain(
      ['[replaykit] cassettes: 1 used, 0 missing, 0 unused', `  replayed ${CASSETTE}`].join('\n'),
    );
  }, 120_000);

  test('CI=true replays by default', async () => {
    const run = await runIn(project, VITEST, { CI: 'true', FAKE_URL: OFFLINE });
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain(`  replayed ${CASSETTE}`);
  }, 120_000);

  test('a changed request fails with the first divergence in the runner format', async () => {
    const run = await runIn(project, VITEST, {
      REPLAYKIT_MODE: 'replay',
      FAKE_URL: OFFLINE,
      PROMPT: 'Hello',
    });
    expect(run.exitCode).toBe(1);
    expect(run.output).toContain('Tests  3 failed | 1 passed | 1 skipped (5)');
    expect(run.output).toContain(
      [
        'expect(cassette).toReplayWithParity(run)',
        '',
        `[replaykit] Replay divergence in ${CASSETTE}: the live request does not match exchange #0 (openai chat.completions, POST /v1/chat/completions).`,
        'First difference at body.messages[0].content',
        '',
        'Expected: "Hi"',
        'Received: "Hello"',
        '',
        '- Recorded',
        '+ Live',
      ].join('\n'),
    );
    // Vitest's own diff of the recorded and the live request.
    expect(run.output).toContain(
      ['-         "content": "Hi",', '+         "content": "Hello",'].join('\n'),
    );
    expect(run.output).toContain(
      '  First difference: body.messages[0].content: expected "Hi" but got "Hello"',
    );
    // The conversation-level HTML diff, written where reports go, named in the failure (issue 19).
    const page = /HTML diff: (replaykit-report\/[\w.-]+-[0-9a-f]{6}\.diff\.html)/.exec(
      run.output,
    )?.[1];
    expect(page, run.output).toBeDefined();
    expect(readFileSync(path.join(project, page!), 'utf8')).toContain('"kind":"diff"');
    // The test's own cassette (autoCassette) diverged in replay: Vitest reports the SDK's 400 and
    // then the divergence, which names the page too.
    const own =
      /FAIL {1,2}chat\.test\.ts > chat > streams a greeting\nReplayDivergenceError: ([\s\S]*?)⎯{10}/.exec(
        run.output,
      )?.[1];
    expect(own, run.output).toContain(
      `[replaykit] Replay divergence in ${CASSETTE}: the live request does not match exchange #0`,
    );
    expect(own).toMatch(
      /\n {2}HTML diff: replaykit-report\/chat--streams-a-greeting-[0-9a-f]{6}\.diff\.html\n/,
    );
    expect(run.output).toContain(`  diverged ${CASSETTE}`);
  }, 120_000);

  test('a new test without a cassette fails with how to record it; stale cassettes are reported unused', async () => {
    writeFileSync(path.join(project, 'cassettes/chat.test.ts/renamed-test.rpk'), '');
    const run = await runIn(project, VITEST, {
      REPLAYKIT_MODE: 'replay',
      FAKE_URL: OFFLINE,
      ADDED: '1',
    });
    expect(run.exitCode).toBe(1);
    expect(run.output).toContain(
      '[replaykit] Failed to replay "cassettes/chat.test.ts/chat--was-added-after-recording.rpk": the cassette does not exist and the test made provider requests (mode replay). Record it first: REPLAYKIT_MODE=record <your test command> -t "<test name>"',
    );
    expect(run.output).toContain(
      [
        '[replaykit] cassettes: 1 used, 1 missing, 1 unused',
        `  replayed ${CASSETTE}`,
        '  missing  cassettes/chat.test.ts/chat--was-added-after-recording.rpk',
        '  unused   cassettes/chat.test.ts/renamed-test.rpk',
        '  Record the missing ones: REPLAYKIT_MODE=record vitest run chat.test.ts',
      ].join('\n'),
    );
  }, 120_000);

  test('the documented one-liner re-records a single test', async () => {
    up = await startFakeUpstream();
    const run = await runIn(
      project,
      [...VITEST, 'chat.test.ts', '-t', 'was added after recording'],
      { REPLAYKIT_MODE: 'record', FAKE_URL: up.url, ADDED: '1' },
    );
    expect(run.exitCode).toBe(0);
    expect(run.output).toContain(
      '  recorded cassettes/chat.test.ts/chat--was-added-after-recording.rpk',
    );
    // Filtered-out tests keep their cassettes and are not reported unused.
    expect(run.output).not.toContain(`unused   ${CASSETTE}`);
  }, 120_000);

  test('a test file that fails to load: its cassettes are not called unused', async () => {
    // Issue 22: the report called a valid cassette unused (and suggested deleting it) because its
    // test file did not load, so none of its tests ran.
    mkdirSync(path.join(project, 'cassettes/broken.test.ts'), { recursive: true });
    copyFileSync(
      path.join(project, CASSETTE),
      path.join(project, 'cassettes/broken.test.ts/broken--works.rpk'),
    );
    writeFileSync(
      path.join(project, 'broken.test.ts'),
      "import { test } from 'vitest';\nthrow new Error('broken on purpose');\ntest('works', () => {});\n",
    );
    try {
      const run = await runIn(project, VITEST, { REPLAYKIT_MODE: 'replay', FAKE_URL: OFFLINE });
      expect(run.exitCode).toBe(1);
      expect(run.output).toContain('Error: broken on purpose');
      expect(run.output).toMatch(/\[replaykit\] cassettes: \d+ used, 0 missing, \d+ unused/);
      expect(run.output).not.toContain('unused   cassettes/broken.test.ts');
    } finally {
      rmSync(path.join(project, 'broken.test.ts'));
    }
  }, 120_000);
});
