/**
 * The listener cleanup regression, run last in CI (`--project leaks`, after unit, E2E and the
 * determinism step): whatever the suite started and stopped, nothing is left behind.
 * - No orphan: no listener process of this checkout has been running for more than two minutes
 *   (no test keeps one that long; a leaked one from an earlier step is older by then).
 * - No leftover state: the default state directory has no listener.json, and no test wrote
 *   recordings into the checkout's own `.replaykit/` (a `listen start` without `--out`).
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { startListener, stopListener } from '../../src/listener/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ENTRIES = [join(root, 'src', 'cli', 'main.ts'), join(root, 'dist', 'cli.mjs')];
const MAX_AGE_S = 120;

interface Proc {
  pid: number;
  ageS: number;
  args: string;
}

async function processes(): Promise<Proc[]> {
  if (process.platform === 'win32') {
    const script =
      'Get-CimInstance Win32_Process | ForEach-Object { "{0}`t{1}`t{2}" -f $_.ProcessId, ' +
      '[int]((Get-Date) - $_.CreationDate).TotalSeconds, $_.CommandLine }';
    const r = await execa('powershell', ['-NoProfile', '-Command', script]);
    return String(r.stdout)
      .split(/\r?\n/)
      .map((line) => line.split('\t'))
      .map(([pid, age, ...args]) => ({
        pid: Number(pid),
        ageS: Number(age),
        args: args.join('\t'),
      }));
  }
  const r = await execa('ps', ['-A', '-o', 'pid=,etime=,args=']);
  return String(r.stdout)
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ pid: Number(m[1]), ageS: elapsed(m[2] ?? ''), args: m[3] ?? '' }));
}

/** `ps` etime: [[dd-]hh:]mm:ss. */
function elapsed(etime: string): number {
  const [days, rest] = etime.includes('-') ? etime.split('-') : ['0', etime];
  const parts = (rest ?? '').split(':').map(Number).reverse();
  return Number(days) * 86400 + (parts[0] ?? 0) + (parts[1] ?? 0) * 60 + (parts[2] ?? 0) * 3600;
}

const listeners = async () =>
  (await processes()).filter(
    (p) =>
      p.pid !== process.pid && ENTRIES.some((e) => p.args.includes(e)) && / listen /.test(p.args),
  );

test('no listener process of this checkout outlived its test', async () => {
  // The scan must see a live listener, or its empty answer below would prove nothing.
  const home = mkdtempSync(join(tmpdir(), 'rk-leaks-'));
  const started = await startListener({ port: 0, stateDir: home, out: join(home, 'out') });
  try {
    expect((await listeners()).map((p) => p.pid)).toContain(started.pid);
  } finally {
    await stopListener({ stateDir: home });
  }
  const orphans = (await listeners()).filter((p) => p.ageS > MAX_AGE_S);
  expect(orphans.map((p) => `${p.pid} (${p.ageS} s): ${p.args}`)).toEqual([]);
});

test('no listener state or recording was left in shared places', () => {
  if (process.env.CI) {
    // On a developer machine a real listener may be running; on CI nothing may touch ~/.replaykit.
    expect(existsSync(join(homedir(), '.replaykit', 'listener.json'))).toBe(false);
  }
  const stray = join(root, '.replaykit', 'recordings');
  const files = existsSync(stray) ? readdirSync(stray) : [];
  expect(files, 'a test ran "listen start" without --out in the checkout').toEqual([]);
});
