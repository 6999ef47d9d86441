/**
 * `replaypack`: a thin shell over the library. Commands never exit the process: only `runCli`
 * turns a thrown error into one of the exit statuses documented in docs/CLI.md.
 *
 * @note The Node version is checked before the command tree is even imported: its modules (and
 * their dependencies, execa first) use Node 22 APIs as they load (issue 22).
 */
import { ExitCode, formatMessage } from '../errors.ts';
import { nodeVersionProblem } from '../node-version.ts';

// `replaypack … | head` closes the pipe while we still write. Node ignores SIGPIPE, so the write
// fails with EPIPE, and without a listener that is an unhandled 'error' event: a stack trace that
// reads like a crash in ReplayKit. A reader that has seen enough is normal for a CLI: stop writing
// quietly and keep the command's own exit status. Any other stream error still surfaces.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

const problem = nodeVersionProblem();
if (problem) {
  process.stderr.write(`${formatMessage(problem)}\n`);
  process.exitCode = ExitCode.usage;
} else {
  const [{ runCli }, { replaypack }] = await Promise.all([import('./run.ts'), import('./tree.ts')]);
  process.exitCode = await runCli(replaypack, process.argv.slice(2));
}
