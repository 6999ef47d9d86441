import { stripVTControlCharacters } from 'node:util';
import { type CommandDef, runCommand, showUsage } from 'citty';
import { cliName } from '../cli-name.ts';
import { ExitCode, formatMessage, ReplayKitError } from '../errors.ts';
import { checkFlags } from './flags.ts';

/**
 * Runs a citty command tree and returns the exit status instead of exiting, so tests can call it
 * in process. Known errors print their one-line message (never a stack trace); citty's own
 * argument errors are usage errors (exit 2); anything else is a bug and says so.
 */
// biome-ignore lint/suspicious/noExplicitAny: citty's CommandDef is generic over its own arg map.
export async function runCli(cmd: CommandDef<any>, rawArgs: string[]): Promise<number> {
  try {
    if (rawArgs.includes('--help') || rawArgs.includes('-h')) {
      await showUsage(...(await resolveForUsage(cmd, rawArgs)));
      return ExitCode.ok;
    }
    if (rawArgs.length === 1 && (rawArgs[0] === '--version' || rawArgs[0] === '-v')) {
      const meta = await (typeof cmd.meta === 'function' ? cmd.meta() : cmd.meta);
      process.stdout.write(`${meta?.version ?? ''}\n`);
      return ExitCode.ok;
    }
    if (rawArgs.length === 0) {
      await showUsage(cmd);
      return ExitCode.usage;
    }
    await checkFlags(cmd, rawArgs);
    await runCommand(cmd, { rawArgs });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    if (error instanceof ReplayKitError) {
      process.stderr.write(`${plain(error.message)}\n`);
      return error.exitCode;
    }
    if (error instanceof Error && error.name === 'CLIError') {
      // citty's messages colour the names they quote and some end with a full stop (issue 22).
      const said = plain(error.message).replace(/\.+$/, '');
      process.stderr.write(
        `${formatMessage(`${said}. Run "${cliName()} ${await commandWords(cmd, rawArgs)}--help" for usage.`)}\n`,
      );
      return ExitCode.usage;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(
      `${formatMessage(`Unexpected error: ${detail}`)}\nThis is a bug in replaykit: please report it.\n`,
    );
    return ExitCode.environment;
  }
}

/**
 * Colour only for a person at a terminal who has not asked for none (https://no-color.org):
 * CI logs and files got raw escape codes (issue 22).
 */
function plain(text: string): string {
  const colour = process.stderr.isTTY === true && !process.env.NO_COLOR;
  return colour ? text : stripVTControlCharacters(text);
}

/** `listen start ` for `listen start --mode x`: the command the help hint should name. */
// biome-ignore lint/suspicious/noExplicitAny: see above.
async function commandWords(cmd: CommandDef<any>, rawArgs: string[]): Promise<string> {
  let current = cmd;
  let words = '';
  for (const arg of rawArgs) {
    const subs = await (typeof current.subCommands === 'function'
      ? current.subCommands()
      : current.subCommands);
    const next = subs?.[arg];
    if (!next) break;
    words += `${arg} `;
    current = await (typeof next === 'function' ? next() : next);
  }
  return words;
}

// biome-ignore lint/suspicious/noExplicitAny: see above.
async function resolveForUsage(cmd: CommandDef<any>, rawArgs: string[]) {
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  let current: CommandDef<any> = cmd;
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  let parent: CommandDef<any> | undefined;
  for (const arg of rawArgs) {
    if (arg.startsWith('-')) break;
    const subs = await (typeof current.subCommands === 'function'
      ? current.subCommands()
      : current.subCommands);
    const next = subs?.[arg];
    if (!next) break;
    parent = current;
    current = await (typeof next === 'function' ? next() : next);
  }
  return [current, parent] as const;
}
