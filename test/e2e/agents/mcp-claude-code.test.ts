/**
 * MCP in the same cassette, with the real Claude Code (`claude -p` from test/agents) and the real
 * `@modelcontextprotocol/server-everything` wrapped by `replaypack mcp wrap` through the config
 * `listen env --agent claude-code --mcp` prints: the fake upstream asks for the MCP tool, the
 * listener records model, tool and MCP steps; then the same turn replays fully offline, with the
 * upstream gone and the MCP server never started.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import {
  EVERYTHING,
  everythingSpec,
  LAUNCH,
  mcpUnavailable,
  startsFile,
  startsIn,
} from './mcp-support.ts';
import {
  announceSkip,
  createWorld,
  envLines,
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
/** What the agent's MCP client said, in order (printed: the suite's record of the client). */
const printMethods = (label: string, steps: Step[]) =>
  process.stderr.write(
    `[agents e2e] claude-code MCP ${label}: ${mcpSteps(steps)
      .map(
        (s) =>
          `${s.type === 'tool.response' ? '←' : '→'}${s.endpoint}${'mcp' in s && s.mcp?.from === 'server' && s.type !== 'tool.response' ? ' (server)' : ''}`,
      )
      .join(', ')}\n`,
  );

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
    printMethods('stdio', steps);
    const methods = mcpSteps(steps).map((s) => `${s.type} ${s.endpoint}`);
    expect(methods).toEqual(
      expect.arrayContaining([
        'tool.request initialize',
        'tool.response initialize',
        'tool.request tools/list',
        'tool.response tools/list',
      ]),
    );

    // MCP steps sit beside the model traffic without disturbing its checks.
    const scan = await world.cli(['scan', live.artifact]);
    expect(scan.exitCode, scan.stdout + scan.stderr).toBe(0);
    const parity = await world.cli(['assert', live.artifact]);
    expect(parity.exitCode, parity.stdout + parity.stderr).toBe(0);

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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** server-everything over streamable HTTP, through the launcher that notes each start. */
async function startHttpServer(starts: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ResultPromise = execa(
    process.execPath,
    [LAUNCH, starts, EVERYTHING, 'streamableHttp'],
    {
      env: { PORT: String(port) },
      reject: false,
      stdin: 'ignore',
      buffer: false,
    },
  );
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr?.on('data', (c: Buffer) => {
      seen += c.toString('utf8');
      if (seen.includes(`listening on port ${port}`)) resolve();
    });
    void child.then((r) => reject(new Error(`server-everything exited: ${r.exitCode} ${seen}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async stop() {
      child.kill('SIGKILL');
      await child;
    },
  };
}

const HTTP_COMMAND = `env ENABLE_TOOL_SEARCH=false claude -p 'echo mcp-ping-7 with the echo tool' --mcp-config "$MCP_HTTP_CONFIG" --strict-mcp-config --allowedTools ${TOOL} --output-format stream-json --verbose`;
const httpConfig = (listener: string) =>
  `export MCP_HTTP_CONFIG='${JSON.stringify({ mcpServers: { everything: { type: 'http', url: `${listener}/mcp/everything` } } })}'`;

describe.skipIf(skip !== null)(
  'claude -p with a streamable-HTTP MCP server behind the listener',
  { timeout: 180_000 },
  () => {
    test('the MCP traffic is captured like a provider and replays offline without the server', async () => {
      const starts = startsFile(world.root);
      const server = await startHttpServer(starts);
      try {
        up = await startFakeUpstream();
        up.enqueue(
          { kind: 'tool', calls: [{ name: TOOL, arguments: { message: 'mcp-ping-7' } }] },
          { kind: 'text', text: FINAL },
        );
        const live = await startListener(world, [
          '--upstream',
          `anthropic=${up.url}`,
          '--upstream',
          `mcp.everything=${server.url}`,
        ]);
        const home = join(world.root, 'claude-home');
        const lines = `${await envLines(world, 'claude-code')}\n${httpConfig(live.url)}`;
        const run = await runAgent(world, 'claude-code', lines, HTTP_COMMAND, home);
        expect(run.exitCode, run.stderr).toBe(0);
        expect(result(run.events)).toMatchObject({ subtype: 'success', result: FINAL });
        expect(JSON.stringify(up.received.at(-1)?.body)).toContain('Echo: mcp-ping-7');
        await stopListener(world);
        await server.stop();

        const { steps } = await loadCassette(live.artifact);
        printMethods('http', steps);
        expect(steps.filter((s) => s.type === 'error.event')).toEqual([]);
        const asked = steps.find((s) => s.type === 'tool.request' && s.provider === 'anthropic');
        const call = mcpSteps(steps).find(
          (s) => s.type === 'tool.request' && s.endpoint === 'tools/call',
        );
        expect(call).toMatchObject({
          name: 'echo',
          call_id: 'toolu_fake0001',
          correlation_id: asked?.correlation_id,
          mcp: { server: 'everything', from: 'client' },
        });
        expect(
          mcpSteps(steps).find((s) => s.type === 'tool.response' && s.endpoint === 'tools/call'),
        ).toMatchObject({
          correlation_id: asked?.correlation_id,
          output: { content: [{ type: 'text', text: 'Echo: mcp-ping-7' }] },
        });

        // Offline: no upstream, no MCP server (killed; it started once, for the recording).
        await up.close();
        up = undefined;
        const replay = await startListener(world, [
          '--mode',
          'replay',
          '--cassette',
          live.artifact,
        ]);
        const again = await runAgent(
          world,
          'claude-code',
          `${await envLines(world, 'claude-code')}\n${httpConfig(replay.url)}`,
          HTTP_COMMAND,
          home,
        );
        expect(again.exitCode, again.stderr).toBe(0);
        expect(result(again.events)).toMatchObject({ subtype: 'success', result: FINAL });
        expect(
          again.events
            .filter((e) => e.type === 'user')
            .map((e) => JSON.stringify(e))
            .join('\n'),
        ).toContain('Echo: mcp-ping-7');
        expect(startsIn(starts)).toBe(1);
        await stopListener(world);
        const replayed = await loadCassette(replay.artifact);
        expect(replayed.steps.filter((s) => s.type === 'error.event')).toEqual([]);
      } finally {
        await server.stop();
      }
    });
  },
);
