import { expect, test } from 'vitest';
import { replaypack } from '../support/cli.ts';

test('an unknown command is a usage error (exit 2) that points at --help', async () => {
  const r = await replaypack(['frobnicate']);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain(
    '[replaykit] Unknown command frobnicate. Run "replaypack --help" for usage.',
  );
});

test('--version prints the package version', async () => {
  const r = await replaypack(['--version']);
  expect(r.exitCode).toBe(0);
  expect(r.stdout.trim()).toBe('0.1.0');
});
