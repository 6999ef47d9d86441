/**
 * `replaypack`: a thin shell over the library. Commands never exit the process: only `runCli`
 * turns a thrown error into one of the exit statuses documented in docs/CLI.md.
 */
import { runCli } from './run.ts';
import { replaypack } from './tree.ts';

process.exitCode = await runCli(replaypack, process.argv.slice(2));
