/**
 * MCP in the same cassette, with the real Claude Code (`claude -p` from test/agents) and the real
 * `@modelcontextprotocol/server-everything` wrapped by `replaypack mcp wrap` through the config
 * `listen env --agent claude-code --mcp` prints: the fake upstream asks for the MCP tool, the
 * listener records model, tool and MCP steps; then the same turn replays fully offline, with the
 * upstream gone and the MCP server never started.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { everythingSpec, mcpUnavailable, startsFile, startsIn } from './mcp-support.ts';
import {
  announceSkip,
  createWorld,
  runAgent,
  startListener,
  stopListener,
  unavailable,
  type World,
} from './support.ts';

const skip = unavailable('claude-code') ?? mcpUnavailable();
if (skip) announceSkip('claude-code', skip);

const TOOL = 'mcp__everything__echo';
// ENABLE_TOOL_SEARCH=false: Claude Code otherwise hides MCP tools behind its ToolSearch tool.
const COMMAND = `env ENABLE_TOOL_SEARCH=false claude -p 'echo mcp-ping-7 with the echo tool' --mcp-config "$REPLAYKIT_MCP_CONFIG" --strict-mcp-config --allowedTools ${TOOL} --output-format stream-json --verbose`;
const FINAL = 'The server echoed it.';

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

const result = (events: Record<string, unknown>[]) => events.find((e) => e.type === 'result');

async function env(extra: string[]): Promise<string> {
  const r = await world.cli([
    'listen',
    'env',
    '--agent',
    'claude-code',
    '--shell',
    'sh',
    '--mcp',
    everythingSpec('everything', startsFile(world.root)),
    ...extra,
  ]);
  if (r.exitCode !== 0) throw new Error(`listen env failed (${r.exitCode}): ${r.stderr}`);
  return r.stdout;
}

const mcpSteps = (steps: Step[]) => steps.filter((s) => s.provider === 'mcp');

describe.skipIf(skip !== null)('claude -p with a wrapped MCP server', { timeout: 180_000 }, () => {
  test('an MCP tool call is recorded with the model steps and replays offline without the server', async () => {
    up = await startFakeUpstream();
    up.enqueue(
      { kind: 'tool', calls: [{ name: TOOL, arguments: { message: 'mcp-ping-7' } }] },
      { kind: 'text', text: FINAL },
    );
    const live = await startListener(world, ['--upstream', `anthropic=${up.url}`]);
    const home = join(world.root, 'claude-home');
    const run = await runAgent(world, 'claude-code', await env([]), COMMAND, home);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(result(run.events)).toMatchObject({
      subtype: 'success',
      is_error: false,
      result: FINAL,
    });
    // The agent got the real server's answer and sent it back to the model.
    expect(JSON.stringify(up.received.at(-1)?.body)).toContain('Echo: mcp-ping-7');
    expect(startsIn(startsFile(world.root))).toBe(1);

    const { artifacts } = await stopListener(world);
    expect(artifacts).toEqual([live.artifact]);
    const { steps } = await loadCassette(live.artifact);
    expect(steps.filter((s) => s.type === 'error.event')).toEqual([]);
    expect(steps.some((s) => s.type === 'model.request')).toBe(true);
    // The model's tool_use, the MCP call it caused, the MCP answer, and the tool_result sent back.
    const asked = steps.find((s) => s.type === 'tool.request' && s.provider === 'anthropic');
    expect(asked).toMatchObject({ name: TOOL, call_id: 'toolu_fake0001' });
    const call = mcpSteps(steps).find(
      (s) => s.type === 'tool.request' && s.endpoint === 'tools/call',
    );
    expect(call).toMatchObject({
      name: 'echo',
      kind: 'mcp',
      call_id: 'toolu_fake0001',
      correlation_id: asked?.correlation_id,
      arguments: { name: 'echo', arguments: { message: 'mcp-ping-7' } },
      mcp: { server: 'everything', method: 'tools/call', from: 'client' },
    });
    const answer = mcpSteps(steps).find(
      (s) => s.type === 'tool.response' && s.endpoint === 'tools/call',
    );
    expect(answer).toMatchObject({
      correlation_id: asked?.correlation_id,
      call_id: 'toolu_fake0001',
      output: { content: [{ type: 'text', text: 'Echo: mcp-ping-7' }] },
      mcp: { server: 'everything', from: 'server' },
    });
    const back = steps.find((s) => s.type === 'tool.response' && s.provider === 'anthropic');
    expect(back).toMatchObject({ call_id: 'toolu_fake0001' });
    // The MCP session around it: initialize and tools/list, each answered.
    const methods = mcpSteps(steps).map((s) => `${s.type} ${s.endpoint}`);
    expect(methods).toEqual(
      expect.arrayContaining([
        'tool.request initialize',
        'tool.response initialize',
        'tool.request tools/list',
        'tool.response tools/list',
      ]),
    );

    // Fully offline: no upstream, the listener replays the model, the wrapper the MCP server.
    await up.close();
    up = undefined;
    const replay = await startListener(world, ['--mode', 'replay', '--cassette', live.artifact]);
    const again = await runAgent(
      world,
      'claude-code',
      await env(['--mcp-cassette', live.artifact]),
      COMMAND,
      home,
    );
    expect(again.exitCode, again.stderr).toBe(0);
    expect(result(again.events)).toMatchObject({
      subtype: 'success',
      is_error: false,
      result: FINAL,
    });
    const toolResult = again.events
      .filter((e) => e.type === 'user')
      .map((e) => JSON.stringify(e))
      .join('\n');
    expect(toolResult).toContain('Echo: mcp-ping-7');
    // The server was not started again.
    expect(startsIn(startsFile(world.root))).toBe(1);
    await stopListener(world);
    const replayed = await loadCassette(replay.artifact);
    expect(replayed.steps.filter((s) => s.type === 'error.event')).toEqual([]);
    expect(
      mcpSteps(replayed.steps).find(
        (s) => s.type === 'tool.response' && s.endpoint === 'tools/call',
      ),
    ).toMatchObject({
      call_id: 'toolu_fake0001',
      output: { content: [{ type: 'text', text: 'Echo: mcp-ping-7' }] },
    });
  });
});
