/**
 * Codex (the real `codex exec` from test/agents) through the listener, both transports: live
 * capture of a tool turn, scan, ingestion of its --json output, then the same run served offline
 * by `listen start --mode replay` with the upstream gone.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import {
  agentVersion,
  announceSkip,
  codexCommand,
  createWorld,
  envLines,
  postIngest,
  runAgent,
  startListener,
  stopListener,
  unavailable,
  type World,
} from './support.ts';

const skip = unavailable('codex');
if (skip) announceSkip('codex', skip);

const PROMPT = 'run the echo command';
// Codex's `exec` tool runs JavaScript; this asks it to run a shell command, whose output Codex
// sends back on the following request.
const EXEC =
  'const r = await tools.exec_command({cmd: "echo tool-output-42"}); text(r.output ?? JSON.stringify(r))';
const FINAL = 'All done here.';

let world: World;
let up: FakeUpstream | undefined;
const routes = new Map<string, Set<string>>();

beforeAll(async () => {
  if (!skip) process.stderr.write(`[agents e2e] ${await agentVersion('codex')}\n`);
});
afterAll(() => {
  for (const [transport, seen] of routes) {
    process.stderr.write(`[agents e2e] codex routes (${transport}): ${[...seen].join(', ')}\n`);
  }
});
beforeEach(() => {
  world = createWorld();
});
afterEach(async () => {
  await up?.close();
  up = undefined;
  await world.cleanup();
});

function finalMessage(events: Record<string, unknown>[]): string | undefined {
  const messages = events
    .map((e) => e.item as { type?: string; text?: string } | undefined)
    .filter((i) => e2eType(i) === 'agent_message');
  return messages.at(-1)?.text;
}
const e2eType = (i: { type?: string } | undefined) => i?.type;

function routesOf(steps: Step[]): string[] {
  return [
    ...new Set(
      steps
        .filter((s) => s.type === 'model.request')
        .map(
          (s) => `${s.transport === 'websocket' ? 'WS ' : ''}${s.method} ${s.url.split('?')[0]}`,
        ),
    ),
  ];
}

// Two listener starts, two agent runs and a scan: the CLI round trips dominate.
describe.skipIf(skip !== null)('codex exec through the listener', { timeout: 120_000 }, () => {
  test.each([
    { transport: 'websocket', which: 0 as const },
    { transport: 'http-sse', which: 1 as const },
  ])(
    '$transport: a tool turn is captured, scanned, ingested, and replays offline',
    async ({ transport, which }) => {
      up = await startFakeUpstream();
      up.enqueue(
        { kind: 'tool', calls: [{ name: 'exec', type: 'custom', arguments: EXEC }] },
        { kind: 'text', text: FINAL },
      );
      const live = await startListener(world, ['--upstream', `openai=${up.url}`]);
      const lines = await envLines(world, 'codex');
      // The listener's URL is part of the command (Codex reads no variable for it).
      const commandFor = (env: string) =>
        `${codexCommand(env, which)} exec --json --skip-git-repo-check '${PROMPT}'`;
      const command = commandFor(lines);

      const run = await runAgent(world, 'codex', lines, command, join(world.root, 'codex-home'));
      expect(run.exitCode, run.stderr).toBe(0);
      expect(finalMessage(run.events)).toBe(FINAL);
      const exec = run.events.find(
        (e) =>
          (e.item as { type?: string } | undefined)?.type === 'command_execution' &&
          e.type === 'item.completed',
      );
      expect(JSON.stringify(exec)).toContain('tool-output-42');
      // Everything went through the listener, on the transport under test.
      expect(up.received.every((r) => r.headers['user-agent']?.startsWith('codex_exec'))).toBe(
        true,
      );
      expect(up.received.some((r) => r.transport === 'websocket')).toBe(transport === 'websocket');

      // The agent's own account of the run, posted to the listener, lands in the same artifact
      // and is tied to the model exchanges of the same thread.
      const thread = run.events.find((e) => e.type === 'thread.started')?.thread_id;
      const ingested = await postIngest(live.url, 'codex', run.stdout);
      expect(ingested.status).toBe(200);
      expect(ingested.body).toMatchObject({ session_id: thread, parse_errors: 0 });
      expect(ingested.body.linked).toBeGreaterThanOrEqual(2);

      const { artifacts } = await stopListener(world);
      expect(artifacts).toEqual([live.artifact]);
      const { steps } = await loadCassette(live.artifact);
      const requests = steps.filter((s) => s.type === 'model.request');
      const responses = steps.filter((s) => s.type === 'model.response');
      expect(requests.length).toBeGreaterThanOrEqual(2);
      // A WebSocket turn is answered on the upgraded socket (101), an HTTP one with a 200 stream.
      const ok = transport === 'websocket' ? 101 : 200;
      expect(responses.map((r) => [r.status, r.stream?.state])).toEqual(
        responses.map(() => [ok, 'completed']),
      );
      expect(
        requests.every((r) => r.transport === (transport === 'websocket' ? 'websocket' : 'http')),
      ).toBe(true);
      const call = steps.find((s) => s.type === 'tool.request' && s.kind === 'custom_tool_call');
      expect(call).toMatchObject({ name: 'exec', kind: 'custom_tool_call', arguments: EXEC });
      const result = steps.find(
        (s) => s.type === 'tool.response' && s.kind === 'custom_tool_call_output',
      );
      expect(result).toMatchObject({ call_id: call?.type === 'tool.request' ? call.call_id : '' });
      expect(JSON.stringify(result)).toContain('tool-output-42');
      // The command Codex ran, from its --json, sits with the exchange that sent its output back.
      const executed = steps.find(
        (s) => s.type === 'tool.response' && s.kind === 'command_execution',
      );
      expect(executed?.correlation_id).toBe(result?.correlation_id);
      // No route Codex used was refused.
      expect(steps.filter((s) => s.type === 'error.event')).toEqual([]);
      routes.set(transport, new Set(routesOf(steps)));

      const scan = await world.cli(['scan', live.artifact]);
      expect(scan.exitCode, scan.stdout + scan.stderr).toBe(0);

      const parity = await world.cli(['assert', live.artifact]);
      expect(parity.exitCode, parity.stdout + parity.stderr).toBe(0);

      // Offline: the upstream is gone; the same command is answered from the artifact.
      await up.close();
      up = undefined;
      const replay = await startListener(world, ['--mode', 'replay', '--cassette', live.artifact]);
      const replayLines = await envLines(world, 'codex');
      const again = await runAgent(
        world,
        'codex',
        replayLines,
        commandFor(replayLines),
        join(world.root, 'codex-home'),
      );
      expect(again.exitCode, again.stderr).toBe(0);
      expect(finalMessage(again.events)).toBe(FINAL);
      await stopListener(world);
      const replayed = await loadCassette(replay.artifact);
      expect(replayed.steps.filter((s) => s.type === 'error.event')).toEqual([]);
    },
  );
});
