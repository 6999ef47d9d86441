/**
 * Claude Code (the real `claude -p` from test/agents) through the listener: live capture of a
 * Bash tool_use → tool_result round trip, scan, then the same run served offline by
 * `listen start --mode replay` with the upstream gone.
 */
import { writeFileSync } from 'node:fs';
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
  postIngest,
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

    const session = run.events.find((e) => e.type === 'system')?.session_id;
    const ingested = await postIngest(live.url, 'claude-code', run.stdout);
    expect(ingested.status).toBe(200);
    // tool_use by call id, tool_result by call id, the final text by the upstream request id.
    expect(ingested.body).toMatchObject({ session_id: session, parse_errors: 0, linked: 3 });

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
    const captured = steps.filter((s) => !s.endpoint.startsWith('agent:'));
    expect(captured.find((s) => s.type === 'tool.request')).toMatchObject({
      call_id: 'toolu_fake0001',
      name: 'Bash',
      arguments: { command: 'echo tool-output-42' },
    });
    expect(captured.find((s) => s.type === 'tool.response')).toMatchObject({
      call_id: 'toolu_fake0001',
      name: 'Bash',
      kind: 'tool_result',
    });
    expect(JSON.stringify(captured.find((s) => s.type === 'tool.response'))).toContain(
      'tool-output-42',
    );
    // Claude Code's own record of the Bash call sits in the exchange whose response asked for it.
    const asked = captured.find((s) => s.type === 'tool.request');
    const own = steps.find((s) => s.type === 'tool.request' && s.endpoint === 'agent:claude-code');
    expect(own?.correlation_id).toBe(asked?.correlation_id);
    expect(steps.filter((s) => s.type === 'error.event')).toEqual([]);
    routes = routesOf(steps);

    const scan = await world.cli(['scan', live.artifact]);
    expect(scan.exitCode, scan.stdout + scan.stderr).toBe(0);

    const parity = await world.cli(['assert', live.artifact]);
    expect(parity.exitCode, parity.stdout + parity.stderr).toBe(0);

    // The same stream through the CLI, next to a copy of the captured steps.
    const stream = join(world.root, 'claude.ndjson');
    writeFileSync(stream, run.stdout);
    const out = join(world.root, 'ingested.rpk');
    const cli = await world.cli([
      'ingest',
      'claude-code',
      stream,
      '--with',
      live.artifact,
      '--out',
      out,
      '--json',
    ]);
    expect(cli.exitCode, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({
      session_id: session,
      linked: 3,
      parse_errors: 0,
    });

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
