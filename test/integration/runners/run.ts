/** Runs a real test runner (from the repository's node_modules) in a fixture project. */
import { createServer } from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { REPO } from './package.ts';

export interface RunResult {
  exitCode: number;
  /** stdout then stderr, ANSI-free, with `\r\n` folded to `\n`. */
  output: string;
}

export async function runIn(
  cwd: string,
  bin: string[],
  env: Record<string, string | undefined> = {},
): Promise<RunResult> {
  const result = await execa(process.execPath, bin, {
    cwd,
    reject: false,
    timeout: 120_000,
    extendEnv: false,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      ...env,
    },
  });
  return {
    exitCode: result.exitCode ?? -1,
    output: `${result.stdout}\n${result.stderr}`.replace(/\r\n/g, '\n'),
  };
}

export const VITEST = [path.join(REPO, 'node_modules/vitest/vitest.mjs'), 'run'];
export const JEST = [path.join(REPO, 'node_modules/jest/bin/jest.js'), '--ci=false'];

/** A loopback port with nothing behind it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
