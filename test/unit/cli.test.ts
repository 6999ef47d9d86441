import { expect, test } from 'vitest';
import { replaypack } from '../support/cli.ts';

test('an unknown command is a usage error (exit 2) that points at --help', async () => {
  const r = await replaypack(['frobnicate']);
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain(
    '[replaykit] Unknown command frobnicate. Run "npx replaypack --help" for usage.',
  );
});

test('--version prints the package version', async () => {
  const r = await replaypack(['--version']);
  expect(r.exitCode).toBe(0);
  expect(r.stdout.trim()).toBe('0.1.0');
});

// Issue 22: citty's argument errors came through with raw ANSI colour codes and a doubled `..`
// in CI logs, where stderr is not a terminal, and whatever NO_COLOR said.
test.each([
  ['stderr is not a terminal', { NO_COLOR: undefined, FORCE_COLOR: undefined }],
  ['NO_COLOR is set', { NO_COLOR: '1', FORCE_COLOR: undefined }],
])('an argument error carries no colour codes and one full stop when %s', async (_, env) => {
  const r = await replaypack(['listen', 'start', '--mode', 'nonsense'], { env });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toBe(
    '[replaykit] Invalid value for argument: --mode (nonsense). Expected one of: live, synthetic, replay, update. Run "npx replaypack listen start --help" for usage.',
  );
});

test('hints name the CLI as `npx replaypack` when it is not installed globally', async () => {
  const r = await replaypack(['inspect']);
  expect(r.stderr).toBe(
    '[replaykit] Missing required positional argument: FILE. Run "npx replaypack inspect --help" for usage.',
  );
});
