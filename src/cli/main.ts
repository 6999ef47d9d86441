/**
 * `replaypack`: a thin shell over the library. Commands never exit the process: only `runCli`
 * turns a thrown error into one of the exit statuses documented in docs/CLI.md.
 *
 * @note The Node version is checked before the command tree is even imported: its modules (and
 * their dependencies, execa first) use Node 22 APIs as they load (issue 22).
 */
import { ExitCode, formatMessage } from '../errors.ts';
import { nodeVersionProblem } from '../node-version.ts';

const problem = nodeVersionProblem();
if (problem) {
  process.stderr.write(`${formatMessage(problem)}\n`);
  process.exitCode = ExitCode.usage;
} else {
  const [{ runCli }, { replaypack }] = await Promise.all([import('./run.ts'), import('./tree.ts')]);
  process.exitCode = await runCli(replaypack, process.argv.slice(2));
}
