/**
 * Claude Code (the real `claude -p` from test/agents) through the listener: live capture of a
 * Bash tool_use → tool_result round trip, scan, then the same run served offline by
 * `listen start --mode replay` with the upstream gone.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import {
  agentVersion,
  announceSkip,
  createWorld,
  envLines,
  runAgent,
  startListener,
  stopListener,
  unavailable,
  type World,
} from './support.ts';

const skip = unavailable('claude-code');
if (skip) announceSkip('claude-code', skip);

const COMMAND =
  "claude -p 'run the echo command' --output-format stream-json --verbose --allowedTools Bash";
const FINAL = 'All done here.';

let world: World;
let up: FakeUpstream | undefined;
let routes: string[] = [];

beforeAll(async () => {
  if (!skip) process.stderr.write(`[agents e2e] ${await agentVersion('claude-code')}\n`);
});
afterAll(() => {
  if (routes.length)
    process.stderr.write(`[agents e2e] claude-code routes: ${routes.join(', ')}\n`);
});
beforeEach(() => {
  world = createWorld();
});
afterEach(async () => {
  await up?.close();
  up = undefined;
  await world.cleanup();
});

const result = (events: Record<string, unknown>[]) => events.find((e) => e.type === 'result');

describe.skipIf(skip !== null)('claude -p through the listener', { timeout: 120_000 }, () => {
  test('a tool_use → tool_result turn is captured, scanned, and replays offline', async () => {
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
    const lines = await envLines(world, 'claude-code');
    const home = join(world.root, 'claude-home');

    const run = await runAgent(world, 'claude-code', lines, COMMAND, home);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(result(run.events)).toMatchObject({
      subtype: 'success',
      is_error: false,
      result: FINAL,
    });
    expect(up.received.length).toBeGreaterThanOrEqual(2);
    expect(up.received.every((r) => r.headers['user-agent']?.startsWith('claude-cli/'))).toBe(true);

    const { artifacts } = await stopListener(world);
    expect(artifacts).toEqual([live.artifact]);
    const { steps } = await loadCassette(live.artifact);
    const messages = steps.filter((s) => s.type === 'model.request' && s.endpoint === 'messages');
    expect(messages.length).toBe(2);
    expect(messages.every((m) => m.type === 'model.request' && m.stream)).toBe(true);
    const responses = steps.filter((s) => s.type === 'model.response' && s.endpoint === 'messages');
    expect(responses.map((r) => (r.type === 'model.response' ? r.stream?.state : null))).toEqual([
      'completed',
      'completed',
    ]);
    expect(steps.find((s) => s.type === 'tool.request')).toMatchObject({
      call_id: 'toolu_fake0001',
      name: 'Bash',
      arguments: { command: 'echo tool-output-42' },
    });
    expect(steps.find((s) => s.type === 'tool.response')).toMatchObject({
      call_id: 'toolu_fake0001',
      name: 'Bash',
      kind: 'tool_result',
    });
    expect(JSON.stringify(steps.find((s) => s.type === 'tool.response'))).toContain(
      'tool-output-42',
    );
    expect(steps.filter((s) => s.type === 'error.event')).toEqual([]);
    routes = routesOf(steps);

    const scan = await world.cli(['scan', live.artifact]);
    expect(scan.exitCode, scan.stdout + scan.stderr).toBe(0);

    // Offline: the upstream is gone; the same command is answered from the artifact.
    await up.close();
    up = undefined;
    const replay = await startListener(world, ['--mode', 'replay', '--cassette', live.artifact]);
    const again = await runAgent(
      world,
      'claude-code',
      await envLines(world, 'claude-code'),
      COMMAND,
      home,
    );
    expect(again.exitCode, again.stderr).toBe(0);
    expect(result(again.events)).toMatchObject({
      subtype: 'success',
      is_error: false,
      result: FINAL,
    });
    await stopListener(world);
    const replayed = await loadCassette(replay.artifact);
    expect(replayed.steps.filter((s) => s.type === 'error.event')).toEqual([]);
  });
});

function routesOf(steps: Step[]): string[] {
  return [
    ...new Set(
      steps
        .filter((s) => s.type === 'model.request')
        .map((s) => (s.type === 'model.request' ? `${s.method} ${s.url}` : '')),
    ),
  ];
}
