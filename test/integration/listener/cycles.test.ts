/**
 * 50 start/stop cycles through the programmatic API (each start spawns the real detached CLI):
 * afterwards no listener process is alive and the state directory holds no state or temp files.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { listenerStatus, startListener, stopListener } from '../../../src/listener/index.ts';
import { isPidAlive } from '../../../src/listener/status.ts';

const home = mkdtempSync(join(tmpdir(), 'rk-cycles-'));
const pids: number[] = [];
afterAll(() => {
  for (const pid of pids) if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

test('50 start/stop cycles leave no orphan process and no leftover state', {
  timeout: 600_000,
}, async () => {
  const ports = new Set<number>();
  for (let i = 0; i < 50; i++) {
    const started = await startListener({ port: 0, stateDir: home, out: join(home, 'out') });
    pids.push(started.pid);
    ports.add(started.port);
    const stopped = await stopListener({ stateDir: home });
    expect(stopped).toMatchObject({ was: 'running', pid: started.pid, forced: false });
  }
  expect(pids).toHaveLength(50);
  expect(new Set(pids).size).toBe(50);
  expect(pids.filter((pid) => isPidAlive(pid))).toEqual([]);
  expect(readdirSync(home).filter((f) => f !== 'out')).toEqual(['listener.log']);
  expect((await listenerStatus({ stateDir: home })).status).toBe('stopped');
});
