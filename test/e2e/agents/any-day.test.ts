/**
 * Issue 17 item 1: a recorded agent session replays on another day, from another folder, with
 * another HOME (and CODEX_HOME). Each agent is recorded through the listener, then served offline
 * by `listen start --mode replay` while it runs with the clock 3 days later (libfaketime, when the
 * agent's binary honours LD_PRELOAD), in another working directory and another home. The agent
 * completes the same turn, and the replayed session's canonical steps equal the recording's
 * (`replaypack assert --golden`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { normalizeStep } from '../../../src/providers/normalize.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import {
  announceSkip,
  codexCommand,
  createWorld,
  envLines,
  runAgent,
  startListener,
  stopListener,
  unavailable,
  type World,
} from './support.ts';

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const FINAL = 'All done here.';

const claudeSkip = unavailable('claude-code');
const codexSkip = unavailable('codex');
if (claudeSkip) announceSkip('claude-code', claudeSkip);
if (codexSkip) announceSkip('codex', codexSkip);
// The clock shift is the point of the Claude Code test: no libfaketime, no test (said loudly).
const fakeSkip = existsSync(LIBFAKETIME)
  ? null
  : `${LIBFAKETIME} is missing: install the Debian package libfaketime`;
if (fakeSkip) announceSkip('claude-code', fakeSkip);

/** libfaketime's variables: the agent's clock runs 3 days ahead of the recording's. */
const THREE_DAYS_LATER = {
  LD_PRELOAD: LIBFAKETIME,
  FAKETIME: '+3d',
  // The `faketime` wrapper's shared-memory semaphores fail in this sandbox.
  FAKETIME_DISABLE_SHM: '1',
};

let world: World;
let up: FakeUpstream | undefined;

beforeEach(() => {
  world = createWorld();
});
afterEach(async () => {
  await up?.close();
  up = undefined;
  await world.cleanup();
});

/** A second folder and home, elsewhere and named differently (longer, so sizes differ too). */
function elsewhere(): { cwd: string; home: string } {
  const cwd = join(world.root, 'another-checkout', 'of-the-same-project');
  mkdirSync(cwd, { recursive: true });
  return { cwd, home: join(world.root, 'teammate-home-directory') };
}

/**
 * The recording passes `replaypack assert`, and the requests the agent sent on the other day,
 * elsewhere, are the recorded ones as the canonical hash sees them (normalised), while their raw
 * prompts did differ (the blobs' own hashes).
 */
async function assertSameSession(recorded: string, replayed: string): Promise<void> {
  const parity = await world.cli(['assert', recorded]);
  expect(parity.exitCode, parity.stdout + parity.stderr).toBe(0);
  const requests = async (file: string) =>
    (await loadCassette(file)).steps.filter((s) => s.type === 'model.request');
  const [before, after] = [await requests(recorded), await requests(replayed)];
  expect(after.length).toBe(before.length);
  const canonical = (s: Step) => {
    const n = normalizeStep(s);
    return n.type === 'model.request' ? { url: n.url, body: n.body } : null;
  };
  expect(after.map(canonical)).toEqual(before.map(canonical));
  const blobs = (steps: Step[]) => JSON.stringify(steps).match(/"sha256":"[0-9a-f]{64}"/g);
  expect(blobs(after)).not.toEqual(blobs(before));
}

/**
 * Codex's binary is static (musl): LD_PRELOAD, and so libfaketime, does not reach it. The day moves
 * on the recording's side instead: the date its environment context gave (the one date in its
 * prompt) is set 3 days back, as if recorded then.
 */
function recordedDaysAgo(file: string, days: number): void {
  const today = new Date().toISOString().slice(0, 10);
  const then = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  const text = readFileSync(file, 'utf8');
  const tag = (d: string) => `<current_date>${d}</current_date>`;
  expect(text).toContain(tag(today));
  // The seal would (rightly) call the file changed: the aged copy goes without one.
  const lines = text.replaceAll(tag(today), tag(then)).split('\n');
  writeFileSync(file, lines.filter((l) => !l.includes('"type":"run.seal"')).join('\n'));
}

describe.skipIf(claudeSkip !== null || fakeSkip !== null)(
  'claude -p replays 3 days later, elsewhere',
  { timeout: 180_000 },
  () => {
    const COMMAND =
      "claude -p 'run the echo command' --output-format stream-json --verbose --allowedTools Bash";
    const resultOf = (events: Record<string, unknown>[]) => events.find((e) => e.type === 'result');

    test('a tool turn recorded today replays offline 3 days later, in another folder and HOME', async () => {
      up = await startFakeUpstream();
      up.enqueue(
        {
          kind: 'tool',
          calls: [
            { name: 'Bash', arguments: { command: 'echo tool-output-42', description: 'echo' } },
          ],
        },
        { kind: 'text', text: FINAL },
      );
      const live = await startListener(world, ['--upstream', `anthropic=${up.url}`]);
      const run = await runAgent(
        world,
        'claude-code',
        await envLines(world, 'claude-code'),
        COMMAND,
        join(world.root, 'claude-home'),
      );
      expect(run.exitCode, run.stderr).toBe(0);
      expect(resultOf(run.events)).toMatchObject({ subtype: 'success', result: FINAL });
      await stopListener(world);
      await up.close();
      up = undefined;

      const replay = await startListener(world, ['--mode', 'replay', '--cassette', live.artifact]);
      const there = elsewhere();
      const again = await runAgent(
        world,
        'claude-code',
        await envLines(world, 'claude-code'),
        COMMAND,
        there.home,
        { cwd: there.cwd, env: THREE_DAYS_LATER },
      );
      await stopListener(world);
      const replayed = await loadCassette(replay.artifact);
      expect(replayed.steps.filter((s) => s.type === 'error.event')).toEqual([]);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(resultOf(again.events)).toMatchObject({ subtype: 'success', result: FINAL });
      expect(JSON.stringify(again.events.find((e) => e.type === 'system'))).toContain(there.cwd);
      await assertSameSession(live.artifact, replay.artifact);

      // A real change to the prompt still diverges, and the report names the line, not 2 hashes.
      const changed = await startListener(world, ['--mode', 'replay', '--cassette', live.artifact]);
      const french = await runAgent(
        world,
        'claude-code',
        await envLines(world, 'claude-code'),
        `${COMMAND} --append-system-prompt 'Always answer in French.'`,
        there.home,
        { cwd: there.cwd, env: THREE_DAYS_LATER },
      );
      await stopListener(world);
      expect(resultOf(french.events)).not.toMatchObject({ result: FINAL });
      const { steps } = await loadCassette(changed.artifact);
      const report = steps.find(
        (s) => s.type === 'error.event' && s.code === 'E_REPLAY_DIVERGENCE',
      );
      const message = report?.type === 'error.event' ? report.message : '';
      // Claude Code 2.1.330 also changes its first system line when given an appended prompt.
      expect(message).toMatch(/First difference: system\[\d+\]\.text line \d+ (added|changed): "/);
      expect(message).toMatch(/~ system\[\d+\]\.text line \d+ added: "Always answer in French\."/);
      expect(message).not.toMatch(/^ {4}[-+] .*\$rk_blob/m);
      process.stderr.write(`[agents e2e] the report of a changed prompt:\n${message}\n`);
    });
  },
);

describe.skipIf(codexSkip !== null)(
  'codex exec replays elsewhere, with another CODEX_HOME',
  { timeout: 180_000 },
  () => {
    const PROMPT = 'run the echo command';
    const EXEC =
      'const r = await tools.exec_command({cmd: "echo tool-output-42"}); text(r.output ?? JSON.stringify(r))';
    const finalMessage = (events: Record<string, unknown>[]) =>
      events
        .map((e) => e.item as { type?: string; text?: string } | undefined)
        .filter((i) => i?.type === 'agent_message')
        .at(-1)?.text;

    test.each([
      { transport: 'websocket', which: 0 as const },
      { transport: 'http-sse', which: 1 as const },
    ])(
      '$transport: a tool turn recorded here replays from another folder and CODEX_HOME',
      async ({ which }) => {
        up = await startFakeUpstream();
        up.enqueue(
          { kind: 'tool', calls: [{ name: 'exec', type: 'custom', arguments: EXEC }] },
          { kind: 'text', text: FINAL },
        );
        const live = await startListener(world, ['--upstream', `openai=${up.url}`]);
        const commandFor = (env: string) =>
          `${codexCommand(env, which)} exec --json --skip-git-repo-check '${PROMPT}'`;
        const lines = await envLines(world, 'codex');
        const run = await runAgent(
          world,
          'codex',
          lines,
          commandFor(lines),
          join(world.root, 'codex-home'),
        );
        expect(run.exitCode, run.stderr).toBe(0);
        expect(finalMessage(run.events)).toBe(FINAL);
        await stopListener(world);
        await up.close();
        up = undefined;
        recordedDaysAgo(live.artifact, 3);

        const replay = await startListener(world, [
          '--mode',
          'replay',
          '--cassette',
          live.artifact,
        ]);
        const there = elsewhere();
        const replayLines = await envLines(world, 'codex');
        const again = await runAgent(
          world,
          'codex',
          replayLines,
          commandFor(replayLines),
          there.home,
          { cwd: there.cwd },
        );
        await stopListener(world);
        const replayed = await loadCassette(replay.artifact);
        expect(replayed.steps.filter((s) => s.type === 'error.event')).toEqual([]);
        expect(again.exitCode, again.stderr).toBe(0);
        expect(finalMessage(again.events)).toBe(FINAL);
        await assertSameSession(live.artifact, replay.artifact);
      },
    );
  },
);
