/**
 * `replaypack mcp wrap` as an agent runs it, a real child process between a client and a real
 * stdio server (test/fixtures/mcp/odd-server.mjs, whose bytes a re-encoding proxy would change),
 * recording into a real listener: bytes pass unchanged both ways however they are split, the
 * artifact holds the MCP steps with secrets redacted, replay answers from it without the server,
 * and without a listener the traffic still flows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { createListenerCapture } from '../../../src/listener/capture.ts';
import { createGateway, type Gateway } from '../../../src/listener/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { CLI_ENTRY } from '../../support/cli.ts';

const SERVER = resolve(import.meta.dirname, '../../fixtures/mcp/odd-server.mjs');
// An OpenAI-style key: the redaction detectors know its shape.
const SECRET = 'sk-proj-Zq8wX3vN5mB7kL2pR9tY4uH6jG1fD0sA8cE3';

let dir: string;
let gateway: Gateway | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rk-mcp-wrap-'));
});
afterEach(async () => {
  await gateway?.close({ drainTimeoutMs: 100 });
  gateway = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the wrapper; `lines` are written in the given chunks; resolves with stdout's bytes. */
function wrap(args: string[], env: Record<string, string> = {}) {
  const child = execa(process.execPath, [CLI_ENTRY, 'mcp', 'wrap', ...args], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    env: { REPLAYKIT_HOME: join(dir, 'no-listener-here'), ...env },
  });
  const out: Buffer[] = [];
  let err = '';
  const waiters: { count: number; resolve: () => void }[] = [];
  const lines = () => Buffer.concat(out).toString('utf8').split('\n').length - 1;
  child.stdout?.on('data', (chunk: Buffer) => {
    out.push(chunk);
    for (const w of waiters.filter((x) => lines() >= x.count)) w.resolve();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  return {
    async send(chunks: (string | Buffer)[]) {
      for (const chunk of chunks) {
        child.stdin?.write(chunk);
        await new Promise((r) => setImmediate(r));
      }
    },
    /** Resolves once `count` lines arrived in total. */
    until(count: number) {
      return lines() >= count
        ? Promise.resolve()
        : new Promise<void>((resolveWait) => waiters.push({ count, resolve: resolveWait }));
    },
    async end() {
      child.stdin?.end();
      const r = await child;
      return { exitCode: r.exitCode, stdout: Buffer.concat(out), stderr: err };
    },
  };
}

const rpc = (v: unknown) => `${JSON.stringify(v)}\n`;
const INIT = rpc({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'c — 1', version: '1' },
  },
});
const CALL = rpc({
  jsonrpc: '2.0',
  id: 'call-1',
  method: 'tools/call',
  params: { name: 'echo', arguments: { key: SECRET, note: 'caf\u00e9' } },
});

/** Bytes split mid-message and mid-character (é is two bytes in UTF-8). */
function byteChunks(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

test('record: bytes pass unchanged both ways, and the listener writes redacted MCP steps', async () => {
  const artifact = join(dir, 'run.rpk');
  gateway = await createGateway({ port: 0, capture: createListenerCapture({ artifact }) });
  const received = join(dir, 'received.bin');
  const shim = wrap([
    '--name',
    'odd',
    '--listener',
    gateway.url,
    '--',
    process.execPath,
    SERVER,
    received,
  ]);
  const sent = INIT + CALL;
  for (const chunk of byteChunks(INIT, 3)) await shim.send([chunk]);
  await shim.until(2);
  for (const chunk of byteChunks(CALL, 3)) await shim.send([chunk]);
  await shim.until(3);
  const { exitCode, stdout, stderr } = await shim.end();
  // The server's own exit status comes back.
  expect(exitCode, stderr).toBe(7);
  expect(stderr).toBe('');
  expect(readFileSync(received).equals(Buffer.from(sent))).toBe(true);
  const text = stdout.toString('utf8');
  // Exactly the server's bytes: its escapes, spacing and key order survive.
  expect(text.split('\n')[0]).toBe(
    '{"result":{"protocolVersion":"2025-06-18", "capabilities":{"tools":{}}, "serverInfo":{"name":"odd \\u2014 server", "version":"1"}}, "jsonrpc":"2.0", "id":0}',
  );
  expect(text).toContain(SECRET);

  await gateway.close();
  gateway = undefined;
  const raw = readFileSync(artifact, 'utf8');
  expect(raw).not.toContain(SECRET);
  const { steps } = await loadCassette(artifact);
  const mcp = steps.filter((s) => s.provider === 'mcp');
  expect(mcp.map((s) => `${s.type} ${s.endpoint}`)).toEqual([
    'tool.request initialize',
    'tool.response initialize',
    'agent.event notifications/message',
    'tool.request tools/call',
    'tool.response tools/call',
  ]);
  expect(mcp[2]).toMatchObject({
    event: { params: { data: 'ready — go' } },
    mcp: { from: 'server' },
  });
  const call = mcp[3] as Extract<Step, { type: 'tool.request' }>;
  expect(call).toMatchObject({
    name: 'echo',
    mcp: { server: 'odd', id: 'call-1', from: 'client' },
  });
  expect(JSON.stringify(call.arguments)).toMatch(/\[REDACTED/);
  // The secret inside a JSON document inside a string is found too.
  expect(JSON.stringify((mcp[4] as Extract<Step, { type: 'tool.response' }>).output)).not.toContain(
    SECRET,
  );

  // Replay: the server is not there (its path does not exist); the same requests are answered.
  const replay = wrap([
    '--name',
    'odd',
    '--mode',
    'replay',
    '--cassette',
    artifact,
    '--',
    join(dir, 'no-such-server'),
  ]);
  await replay.send([INIT.replace('"id":0', '"id":40'), CALL.replace('"call-1"', '"call-2"')]);
  await replay.until(3);
  await replay.send([
    rpc({
      jsonrpc: '2.0',
      id: 41,
      method: 'tools/call',
      params: { name: 'echo', arguments: { key: 'other' } },
    }),
  ]);
  await replay.until(4);
  const replayed = await replay.end();
  expect(replayed.exitCode, replayed.stderr).toBe(0);
  const answers = replayed.stdout
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(answers[0]).toMatchObject({ id: 40, result: { serverInfo: { name: 'odd — server' } } });
  expect(answers[1]).toMatchObject({ method: 'notifications/message' });
  expect(answers[2]).toMatchObject({ id: 'call-2', result: { content: [{ type: 'text' }] } });
  expect(answers[3]).toMatchObject({
    id: 41,
    error: { code: -32001, data: { path: 'params.arguments.key', actual: 'other' } },
  });
  expect(JSON.stringify(answers)).not.toContain(SECRET);
});

test('no listener: the traffic still flows and one warning on stderr says it is not recorded', async () => {
  const received = join(dir, 'received.bin');
  const shim = wrap(['--name', 'odd', '--', process.execPath, SERVER, received]);
  await shim.send([INIT]);
  await shim.until(2);
  const { exitCode, stdout, stderr } = await shim.end();
  expect(exitCode).toBe(7);
  expect(JSON.parse(stdout.toString('utf8').split('\n')[0]!)).toMatchObject({ id: 0 });
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^\[replaykit\] Failed to find a running listener for MCP server "odd"/);
});

test('usage errors: no command, no cassette in replay', async () => {
  const noCommand = await wrap(['--name', 'odd']).end();
  expect(noCommand.exitCode).toBe(2);
  expect(noCommand.stderr).toContain('no server command');
  const noCassette = await wrap(['--name', 'odd', '--mode', 'replay']).end();
  expect(noCassette.exitCode).toBe(2);
  expect(noCassette.stderr).toContain('--mode replay needs --cassette FILE');
});

test('a listener that requires a token: recorded with REPLAYKIT_LISTENER_TOKEN, refused (and said so) without', async () => {
  const artifact = join(dir, 'token.rpk');
  gateway = await createGateway({
    port: 0,
    token: 'tok-mcp-123',
    capture: createListenerCapture({ artifact }),
  });
  const received = join(dir, 'received.bin');
  const server = ['--', process.execPath, SERVER, received];
  const refused = wrap(['--name', 'odd', '--listener', gateway.url, ...server]);
  await refused.send([INIT]);
  await refused.until(2);
  const without = await refused.end();
  expect(without.exitCode).toBe(7);
  expect(without.stderr).toMatch(
    /Failed to record MCP server "odd" into the listener .*answered 401/,
  );

  const allowed = wrap(['--name', 'odd', '--listener', gateway.url, ...server], {
    REPLAYKIT_LISTENER_TOKEN: 'tok-mcp-123',
  });
  await allowed.send([INIT]);
  await allowed.until(2);
  const withToken = await allowed.end();
  expect(withToken.stderr).toBe('');
  await gateway.close();
  gateway = undefined;
  const { steps } = await loadCassette(artifact);
  expect(steps.filter((s) => s.provider === 'mcp').map((s) => s.endpoint)).toEqual([
    'initialize',
    'initialize',
    'notifications/message',
  ]);
});
