/**
 * State transitions of `listen status` / `listen stop` against real processes: a dead pid, a live
 * pid that is not ours (never killed), a silent port, and a live gateway that proves its identity.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createGateway, listenerStatus, stopListener } from '../../../src/listener/index.ts';
import { readState, writeState } from '../../../src/listener/state.ts';
import { isPidAlive } from '../../../src/listener/status.ts';
import { sampleState } from './sample-state.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rk-status-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('no state file: stopped', async () => {
  expect(await listenerStatus({ stateDir: dir })).toMatchObject({ status: 'stopped', pid: null });
});

test('state left by a dead process is reported stale and removed; the next status says stopped', async () => {
  const dead = execa(process.execPath, ['-e', '0']);
  await dead;
  const port = await closedPort();
  writeState(dir, sampleState({ pid: dead.pid!, port, url: `http://127.0.0.1:${port}` }));
  const s = await listenerStatus({ stateDir: dir });
  expect(s).toMatchObject({ status: 'stale', pid: dead.pid, cleaned: true });
  expect(s.reason).toContain('no longer running');
  expect(readState(dir)).toBeNull();
  expect((await listenerStatus({ stateDir: dir })).status).toBe('stopped');
});

test('a pid reused by another program is stale, its state removed, and the program NOT killed', async () => {
  const other = execa(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  try {
    const port = await closedPort();
    writeState(dir, sampleState({ pid: other.pid!, port, url: `http://127.0.0.1:${port}` }));
    const s = await listenerStatus({ stateDir: dir });
    expect(s).toMatchObject({ status: 'stale', cleaned: true });
    expect(s.reason).toContain('another program');
    expect(readState(dir)).toBeNull();

    writeState(dir, sampleState({ pid: other.pid!, port, url: `http://127.0.0.1:${port}` }));
    const stopped = await stopListener({ stateDir: dir });
    expect(stopped).toMatchObject({ was: 'stale', forced: false });
    expect(stopped.message).toContain('No listener was running');
    expect(isPidAlive(other.pid!)).toBe(true);
  } finally {
    other.kill();
    await other.catch(() => {});
  }
});

test('a listener answering with a different instance id is not ours', async () => {
  const gateway = await createGateway({ port: 0, instanceId: 'someone-else' });
  try {
    writeState(dir, sampleState({ pid: process.pid, port: gateway.port, url: gateway.url }));
    const s = await listenerStatus({ stateDir: dir });
    expect(s.status).toBe('stale');
    expect(s.reason).toContain('another listener');
  } finally {
    await gateway.close();
  }
});

test('a live pid whose port accepts but never answers is stale but its state is kept', async () => {
  const silent = net.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as net.AddressInfo;
  try {
    writeState(dir, sampleState({ pid: process.pid, port, url: `http://127.0.0.1:${port}` }));
    const s = await listenerStatus({ stateDir: dir, timeoutMs: 200 });
    expect(s).toMatchObject({ status: 'stale', cleaned: false });
    expect(s.reason).toContain('did not answer');
    expect(readState(dir)).not.toBeNull();
  } finally {
    silent.close();
  }
});

test('a gateway that proves its identity is running, with its counters', async () => {
  const gateway = await createGateway({ port: 0, instanceId: 'inst-1' });
  try {
    writeState(dir, sampleState({ pid: process.pid, port: gateway.port, url: gateway.url }));
    await fetch(`${gateway.url}/v1/nope`, { method: 'POST' });
    expect(await listenerStatus({ stateDir: dir })).toMatchObject({
      status: 'running',
      pid: process.pid,
      url: gateway.url,
      mode: 'live',
      counts: { requests: 0, errors: 0, synthetic: 0 },
      degraded: false,
    });
  } finally {
    await gateway.close();
  }
});
