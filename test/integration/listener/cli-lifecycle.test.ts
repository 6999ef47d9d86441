/**
 * `replaypack listen ...` end to end through the real CLI (a child process from source), with a
 * private REPLAYKIT_HOME per test and `--port 0` everywhere.
 */
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isPidAlive } from '../../../src/listener/status.ts';
import { replaypack } from '../../support/cli.ts';
import { startUpstream, type TestUpstream } from './upstream.ts';

let home: string;
const pids = new Set<number>();
const run = (args: string[]) => replaypack(args, { env: { REPLAYKIT_HOME: home } });
const json = async (args: string[]) => {
  const r = await run([...args, '--json']);
  if (r.exitCode !== 0) throw new Error(`exit ${r.exitCode}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
const start = async (extra: string[] = []) => {
  const r = await json(['listen', 'start', '--port', '0', '--out', join(home, 'out'), ...extra]);
  pids.add(r.pid);
  return r;
};

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rk-listen-'));
});
afterEach(async () => {
  await run(['listen', 'stop']);
  // Never leave a listener behind, even when a test failed half way.
  for (const pid of pids) if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
  pids.clear();
  rmSync(home, { recursive: true, force: true });
});

describe('listen start / status / stop', () => {
  test('start → status → stop → status, with the same URL and pid throughout', async () => {
    const started = await start();
    expect(started).toMatchObject({ status: 'running', mode: 'live', policy: 'live_only' });
    expect(started.url).toBe(`http://127.0.0.1:${started.port}`);
    expect(started.port).toBeGreaterThan(0);
    expect(isPidAlive(started.pid)).toBe(true);

    const status = await json(['listen', 'status']);
    expect(status).toMatchObject({
      status: 'running',
      pid: started.pid,
      port: started.port,
      url: started.url,
      mode: 'live',
      policy: 'live_only',
      counts: { requests: 0, errors: 0, synthetic: 0 },
      degraded: false,
    });
    expect(typeof status.uptime_s).toBe('number');

    const human = await run(['listen', 'status']);
    expect(human.stdout).toContain(`running  ${started.url}  pid ${started.pid}`);

    const stopped = await json(['listen', 'stop']);
    expect(stopped).toMatchObject({ was: 'running', status: 'stopped', forced: false });
    expect(stopped.artifacts).toEqual([started.artifact]);
    expect(existsSync(started.artifact)).toBe(true);
    expect(isPidAlive(started.pid)).toBe(false);
    expect(await json(['listen', 'status'])).toMatchObject({ status: 'stopped', pid: null });
  });

  test('a second stop is fine and says nothing was running', async () => {
    await start();
    expect((await run(['listen', 'stop'])).exitCode).toBe(0);
    const again = await run(['listen', 'stop']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('No listener was running.');
  });

  test('a second start while one runs fails with exit 4 and shows the running URL', async () => {
    const first = await start();
    const second = await run(['listen', 'start', '--port', '0']);
    expect(second.exitCode).toBe(4);
    expect(second.stderr).toContain(
      `[replaykit] Failed to start the listener: one is already running at ${first.url}`,
    );
    expect((await json(['listen', 'status'])).pid).toBe(first.pid);
  });

  test('a busy pinned port fails with exit 4 naming the port and what to do', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const r = await run(['listen', 'start', '--port', String(port)]);
      expect(r.exitCode).toBe(4);
      expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(r.stderr).toContain('--port 0');
      expect((await json(['listen', 'status'])).status).toBe('stopped');
    } finally {
      blocker.close();
    }
  });

  test('after kill -9, status says stale (and cleans up), then stopped; start works again', async () => {
    const started = await start();
    process.kill(started.pid, 'SIGKILL');
    for (let i = 0; i < 200 && isPidAlive(started.pid); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const stale = await json(['listen', 'status']);
    expect(stale).toMatchObject({ status: 'stale', pid: started.pid, cleaned: true });
    expect(stale.reason).toContain('no longer running');
    expect((await json(['listen', 'status'])).status).toBe('stopped');
    const again = await start();
    expect(again.pid).not.toBe(started.pid);
  });

  test('replay mode needs a readable --cassette; the error names it', async () => {
    const replay = await run(['listen', 'start', '--port', '0', '--mode', 'replay']);
    expect(replay.exitCode).toBe(2);
    expect(replay.stderr).toContain('--mode replay needs --cassette FILE');
    const missing = await run([
      'listen',
      'start',
      '--port',
      '0',
      '--mode',
      'replay',
      '--cassette',
      'no-such-cassette.rpk',
    ]);
    expect(missing.exitCode).toBe(4);
    expect(missing.stderr).toContain('no-such-cassette.rpk');
    expect((await json(['listen', 'status'])).status).toBe('stopped');
    // Issue 22: the path resolves against the caller's folder, and the message must not say it
    // started anywhere else (the listener runs in REPLAYKIT_HOME).
    const work = mkdtempSync(join(tmpdir(), 'rk-work-'));
    try {
      const typo = await replaypack(
        ['listen', 'start', '--port', '0', '--mode', 'replay', '--cassette', 'typo.rpk'],
        { cwd: work, env: { REPLAYKIT_HOME: home } },
      );
      expect(typo.exitCode).toBe(4);
      expect(typo.stderr).toContain(
        `[replaykit] Failed to read cassette "${join(realpathSync(work), 'typo.rpk')}": no such file or directory. Check the path (log: `,
      );
      expect(typo.stderr).not.toContain('relative paths start at');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);

  test('a non-loopback host without --allow-remote and a token is refused', async () => {
    const r = await run(['listen', 'start', '--port', '0', '--host', '0.0.0.0']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--allow-remote');
  });
});

describe('listen env', () => {
  test('fails clearly when no listener runs, unless --url is given', async () => {
    const r = await run(['listen', 'env']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('no listener is running');
    expect(r.stderr).toContain('--url');
    const withUrl = await run(['listen', 'env', '--shell', 'sh', '--url', 'http://127.0.0.1:9']);
    expect(withUrl.stdout).toContain("export OPENAI_BASE_URL='http://127.0.0.1:9/v1'");
  });

  test('prints the running listener URL', async () => {
    const started = await start();
    const r = await run(['listen', 'env', '--shell', 'sh']);
    expect(r.stdout).toContain(`export ANTHROPIC_BASE_URL='${started.url}'`);
  });
});

describe('traffic through a started listener', () => {
  let upstream: TestUpstream;
  beforeEach(async () => {
    upstream = await startUpstream();
  });
  afterEach(() => upstream.close());

  test('requests go to --upstream, and status counts them', async () => {
    upstream.handle((_req, res) => res.writeHead(200, { 'x-request-id': 'req_1' }).end('{"ok":1}'));
    const started = await start([
      '--upstream',
      `openai=${upstream.url}`,
      '--upstream',
      `anthropic=${upstream.url}`,
    ]);
    const r = await fetch(`${started.url}/v1/responses`, { method: 'POST', body: '{}' });
    expect(await r.text()).toBe('{"ok":1}');
    expect(r.headers.get('x-request-id')).toBe('req_1');
    await fetch(`${started.url}/v1/messages`, {
      method: 'POST',
      headers: { 'anthropic-version': '2023-06-01' },
      body: '{}',
    });
    expect(upstream.received.map((q) => q.url)).toEqual(['/v1/responses', '/v1/messages']);
    expect((await json(['listen', 'status'])).counts).toMatchObject({ requests: 2, errors: 0 });
  });
});

test('the state directory holds no listener.json or temp files after stop', async () => {
  await start();
  await run(['listen', 'stop']);
  const left = readdirSync(home).filter((f) => f !== 'out');
  expect(left).toEqual(['listener.log']);
});
