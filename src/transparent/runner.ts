/**
 * Every change transparent mode makes to the system (pfctl, security, nft) goes through this
 * interface: the controllers only describe commands, so tests can script the exact calls and
 * inject a failure at any step without touching the machine.
 */
import { execa } from 'execa';

export interface Command {
  cmd: string;
  args: string[];
  /** Written to the command's stdin (rule sets are loaded with `-f -`). */
  input?: string;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  run(command: Command): Promise<CommandResult>;
}

/** How a command reads in a report and in the journal: `nft delete table ip replaykit`. */
export function commandLine(command: Command): string {
  return [command.cmd, ...command.args].join(' ');
}

export const systemRunner: CommandRunner = {
  async run(command) {
    const result = await execa(command.cmd, command.args, {
      reject: false,
      stdin: command.input === undefined ? 'ignore' : 'pipe',
      ...(command.input === undefined ? {} : { input: command.input }),
      timeout: 30_000,
    });
    return {
      // A binary that is not installed has no exit code: report it as a failure like any other.
      code: typeof result.exitCode === 'number' ? result.exitCode : 127,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? (result.failed ? result.shortMessage : '')),
    };
  },
};
