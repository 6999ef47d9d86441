/**
 * Vitest global setup of the e2e project: installs the suite's separate test packages on demand,
 * so the README's `npm install && npm test` runs the whole suite on a fresh clone (issue 15).
 *
 * - test/agents: the real coding agents (Codex, Claude Code; about 600 MB), kept out of the main
 *   install so that users of the package never download them.
 * - test/compat: older runner lines (Vitest 3.2 and 4, Jest 29) whose peer ranges must never meet
 *   the main install's.
 *
 * Each is installed with `npm ci` (the lock file decides, as on users' CI) once, and a stamp with
 * the lock file's hash caches the result: a later run installs again only when the lock changed.
 * When the registry cannot deliver (a network error), the suites that need the package skip,
 * loudly (their own checks print why). Any other failure (a lock file out of sync, a broken
 * package) fails the run: a skip must never hide a fault of ours.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface TestPackage {
  dir: string;
  why: string;
  /** Platforms where the suites that use it skip anyway (no point downloading it there). */
  skipOn?: NodeJS.Platform[];
}

export const TEST_PACKAGES: TestPackage[] = [
  { dir: 'test/agents', why: 'the real agent CLIs for test/e2e/agents', skipOn: ['win32'] },
  { dir: 'test/compat', why: 'Vitest 3.2/4 and Jest 29 for the runner compat lines' },
];

const STAMP = '.replaykit-installed';

/** npm's codes for a registry it could not reach: the one reason a suite may skip. */
const NETWORK_ERROR =
  /\b(ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|FETCH_ERROR)\b/;

function lockHash(dir: string): string {
  const lock = readFileSync(path.join(REPO, dir, 'package-lock.json'));
  return createHash('sha256').update(lock).digest('hex');
}

/** Whether `dir` holds an install of its current lock file. */
export function isInstalled(dir: string): boolean {
  const stamp = path.join(REPO, dir, 'node_modules', STAMP);
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === lockHash(dir);
}

async function install(pkg: TestPackage): Promise<void> {
  if (pkg.skipOn?.includes(process.platform) || isInstalled(pkg.dir)) return;
  // Long work shows progress: an agent install takes a minute or more on a cold cache.
  process.stderr.write(`[replaykit test setup] installing ${pkg.dir} (${pkg.why}) with npm ci…\n`);
  const started = Date.now();
  const r = await execa('npm', ['ci', '--prefix', pkg.dir, '--no-audit', '--no-fund'], {
    cwd: REPO,
    reject: false,
    stdin: 'ignore',
    all: true,
  });
  if (r.exitCode !== 0) {
    const output = String(r.all ?? '');
    if (!NETWORK_ERROR.test(output)) {
      throw new Error(
        `npm ci --prefix ${pkg.dir} failed (exit ${r.exitCode}):\n${output.slice(-2000)}`,
      );
    }
    const tail = output.trim().split('\n').slice(-5).join('\n');
    process.stderr.write(
      `\n${'!'.repeat(78)}\n!! could not install ${pkg.dir} (npm ci exited ${r.exitCode}): the suites that need ${pkg.why} will SKIP\n${tail}\n${'!'.repeat(78)}\n\n`,
    );
    return;
  }
  writeFileSync(path.join(REPO, pkg.dir, 'node_modules', STAMP), `${lockHash(pkg.dir)}\n`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`[replaykit test setup] ${pkg.dir} installed in ${seconds} s\n`);
}

export default async function setup(): Promise<void> {
  // One after the other: two npm processes on one cache contend for its lock.
  for (const pkg of TEST_PACKAGES) await install(pkg);
}
