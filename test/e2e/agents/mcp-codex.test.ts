/**
 * MCP in the same cassette, with the real Codex (`codex exec` from test/agents) and the real
 * `@modelcontextprotocol/server-everything` wrapped by `replaypack mcp wrap` through the `-c
 * mcp_servers.*` lines `listen env --agent codex --mcp` prints. Codex exposes MCP tools inside its
 * JavaScript `exec` tool (`tools.mcp__NAME__TOOL`), so the fake upstream asks for an `exec` that
 * calls it; then the same turn replays fully offline, without the upstream or the server.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { everythingSpec, mcpUnavailable, startsFile, startsIn } from './mcp-support.ts';
import {
  announceSkip,
  codexCommand,
  createWorld,
  runAgent,
  startListener,
  stopListener,
  unavailable,
  type World,
} from './support.ts';

const skip = unavailable('codex') ?? mcpUnavailable();
if (skip) announceSkip('codex', skip);

const PROMPT = 'echo mcp-ping-7 with the echo tool';
const EXEC =
  'const r = await tools.mcp__everything__echo({message: "mcp-ping-7"}); text(JSON.stringify(r))';
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

async function command(extra: string[]): Promise<string> {
  const r = await world.cli([
    'listen',
    'env',
    '--agent',
    'codex',
    '--shell',
    'sh',
    '--mcp',
    everythingSpec('everything', startsFile(world.root)),
    ...extra,
  ]);
  if (r.exitCode !== 0) throw new Error(`listen env failed (${r.exitCode}): ${r.stderr}`);
  // The custom provider line: plain HTTP/SSE.
  return `${codexCommand(r.stdout, 1)} exec --json --skip-git-repo-check '${PROMPT}'`;
}

/** Codex's own report of the MCP call, once it completed. */
const mcpCallOf = (events: Record<string, unknown>[]) =>
  events.find(
    (e) =>
      e.type === 'item.completed' &&
      (e.item as { type?: string } | undefined)?.type === 'mcp_tool_call',
  );
const mcpSteps = (steps: Step[]) => steps.filter((s) => s.provider === 'mcp');
/** What the agent's MCP client said, in order (printed: the suite's record of the client). */
const printMethods = (label: string, steps: Step[]) =>
  process.stderr.write(
    `[agents e2e] codex MCP ${label}: ${mcpSteps(steps)
      .map(
        (s) =>
          `${s.type === 'tool.response' ? '←' : '→'}${s.endpoint}${'mcp' in s && s.mcp?.from === 'server' && s.type !== 'tool.response' ? ' (server)' : ''}`,
      )
      .join(', ')}\n`,
  );
const finalMessage = (events: Record<string, unknown>[]) =>
  events
    .map((e) => e.item as { type?: string; text?: string } | undefined)
    .filter((i) => i?.type === 'agent_message')
    .at(-1)?.text;

describe.skipIf(skip !== null)('codex exec with a wrapped MCP server', { timeout: 180_000 }, () => {
  test('an MCP tool call from exec is recorded with the model steps and replays offline without the server', async () => {
    up = await startFakeUpstream();
    up.enqueue(
      { kind: 'tool', calls: [{ name: 'exec', type: 'custom', arguments: EXEC }] },
      { kind: 'text', text: FINAL },
    );
    await startListener(world, ['--upstream', `openai=${up.url}`]);
    const home = join(world.root, 'codex-home');
    const run = await runAgent(world, 'codex', '', await command([]), home);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(finalMessage(run.events)).toBe(FINAL);
    expect(mcpCallOf(run.events)).toMatchObject({
      item: { server: 'everything', tool: 'echo', status: 'completed' },
    });
    expect(JSON.stringify(mcpCallOf(run.events))).toContain('Echo: mcp-ping-7');
    expect(JSON.stringify(up.received.at(-1)?.body)).toContain('Echo: mcp-ping-7');
    expect(startsIn(startsFile(world.root))).toBe(1);

    const { artifacts } = await stopListener(world);
    const [artifact] = artifacts as [string];
    const { steps } = await loadCassette(artifact);
    printMethods('stdio', steps);
    expect(steps.filter((s) => s.type === 'error.event')).toEqual([]);
    const asked = steps.find((s) => s.type === 'tool.request' && s.provider === 'openai');
    expect(asked).toMatchObject({ name: 'exec', kind: 'custom_tool_call' });
    // Codex's MCP request carries no model call id: it is tied to the open exec call.
    const call = mcpSteps(steps).find(
      (s) => s.type === 'tool.request' && s.endpoint === 'tools/call',
    );
    expect(call).toMatchObject({
      name: 'echo',
      call_id: (asked as { call_id: string }).call_id,
      correlation_id: asked?.correlation_id,
      mcp: { server: 'everything', method: 'tools/call', from: 'client' },
    });
    const answer = mcpSteps(steps).find(
      (s) => s.type === 'tool.response' && s.endpoint === 'tools/call',
    );
    expect(answer).toMatchObject({
      correlation_id: asked?.correlation_id,
      output: { content: [{ type: 'text', text: 'Echo: mcp-ping-7' }] },
    });

    await up.close();
    up = undefined;
    const replay = await startListener(world, ['--mode', 'replay', '--cassette', artifact]);
    const again = await runAgent(
      world,
      'codex',
      '',
      await command(['--mcp-cassette', artifact]),
      home,
    );
    expect(again.exitCode, again.stderr).toBe(0);
    expect(finalMessage(again.events)).toBe(FINAL);
    expect(JSON.stringify(mcpCallOf(again.events))).toContain('Echo: mcp-ping-7');
    expect(startsIn(startsFile(world.root))).toBe(1);
    await stopListener(world);
    const replayed = await loadCassette(replay.artifact);
    expect(replayed.steps.filter((s) => s.type === 'error.event')).toEqual([]);
  });
});
