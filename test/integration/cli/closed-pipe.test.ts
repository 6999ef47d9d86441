/**
 * `replaypack … | head` closes the pipe before the CLI is done writing. Unix tools stop quietly
 * then; an unhandled EPIPE stack trace looks like a crash in ReplayKit (seen with
 * `listen transparent start --json | head`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { CLI_ENTRY } from '../../support/cli.ts';

test.each(['listen status --json', 'listen transparent status --json'])(
  'a reader that closes the pipe early on `replaypack %s` gets a quiet exit, not an EPIPE stack trace',
  async (line) => {
    const args = line.split(' ');
    const home = await mkdtemp(join(tmpdir(), 'replaykit-pipe-'));
    // These write after an await, when the pipe is already known to be closed.
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
      env: { ...process.env, NO_COLOR: '1', REPLAYKIT_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Closed before the CLI writes a byte: every write it makes meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(0);
  },
);
