/**
 * Runs the real `replaypack` CLI in a child process, from source: Node 22.18+ strips the types
 * itself, so CLI tests need no build step and always test the code in the tree.
 */
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

export const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function replaypack(args: string[], options: Options = {}): Promise<CliResult> {
  const result = await execa(process.execPath, [CLI_ENTRY, ...args], {
    reject: false,
    env: { NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
    timeout: 60_000,
    ...options,
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}
