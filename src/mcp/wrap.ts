/**
 * `replaypack mcp wrap`: a stdio MCP server stand-in, put in the agent's MCP config in place of
 * the server command. Record mode starts the real server and passes every byte through
 * unchanged in both directions, while each message also goes to the running listener's artifact
 * (./channel.ts). Replay mode starts nothing: it answers from a cassette (./replay.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';
import { cliName } from '../cli-name.ts';
import { formatMessage, UsageError } from '../errors.ts';
import { loadForReplay } from '../pipeline/cassette.ts';
import { findListener, openRecordChannel, type RecordChannel } from './channel.ts';
import { LineSplitter } from './framing.ts';
import { encodeMessage } from './jsonrpc.ts';
import { McpReplayer } from './replay.ts';

export const MCP_MODES = ['record', 'replay'] as const;
export type McpMode = (typeof MCP_MODES)[number];

export interface WrapOptions {
  name: string;
  /** The real server: command and arguments (record mode). */
  command: string[];
  mode?: McpMode;
  /** Replay mode: the cassette to answer from. */
  cassette?: string;
  /** The listener to record into; default: the one REPLAYKIT_HOME's state file names. */
  listener?: string;
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  env?: NodeJS.ProcessEnv;
}

/** Runs the shim until the client hangs up (or the server exits); resolves to the exit status. */
export async function runMcpWrap(options: WrapOptions): Promise<number> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  if (!options.name) throw new UsageError('Failed to wrap an MCP server: --name NAME is required.');
  const warn = (message: string) => stderr.write(`${formatMessage(message)}\n`);
  const mode = options.mode ?? 'record';
  const session = randomUUID();
  const target = findListener(options.listener, env);
  if (mode === 'replay') {
    if (!options.cassette) {
      throw new UsageError('Failed to replay an MCP server: --mode replay needs --cassette FILE.');
    }
    const { steps } = await loadForReplay(options.cassette);
    const replayer = new McpReplayer(steps, { server: options.name, cassette: options.cassette });
    if (replayer.size === 0) {
      warn(
        `Failed to find MCP server "${options.name}" in "${options.cassette}": it holds no message of that server, so every request will be answered with an error. Check --name against the recording`,
      );
    }
    // A listener running beside the replay records the replayed messages too (its artifact then
    // holds the same MCP steps as the recording); without one, nothing is recorded.
    const channel = target ? openRecordChannel(target, options.name, session, () => {}) : null;
    return serveReplay(replayer, stdin, stdout, channel);
  }
  if (options.command.length === 0) {
    throw new UsageError(
      `Failed to wrap an MCP server: no server command. Put it after "--": ${cliName()} mcp wrap --name NAME -- COMMAND ARGS...`,
    );
  }
  if (!target) {
    warn(
      `Failed to find a running listener for MCP server "${options.name}" (REPLAYKIT_HOME=${env.REPLAYKIT_HOME ?? '(unset)'}): its traffic flows but is not recorded. Start one with "${cliName()} listen start", or pass --listener URL`,
    );
  }
  const channel = target ? openRecordChannel(target, options.name, session, warn) : null;
  return passThrough(options.command, stdin, stdout, env, channel, warn);
}

async function passThrough(
  command: string[],
  stdin: Readable,
  stdout: Writable,
  env: NodeJS.ProcessEnv,
  channel: RecordChannel | null,
  warn: (message: string) => void,
): Promise<number> {
  const [file, ...args] = command as [string, ...string[]];
  const child = execa(file, args, {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
    buffer: false,
    reject: false,
    env,
    extendEnv: false,
  });
  const fromClient = new LineSplitter((line) => channel?.send('client', line));
  const fromServer = new LineSplitter((line) => channel?.send('server', line));
  // Observers only: the bytes themselves go through pipe(), untouched and with back-pressure.
  stdin.on('data', (chunk: Buffer) => fromClient.push(chunk));
  stdin.on('end', () => fromClient.end());
  child.stdout?.on('data', (chunk: Buffer) => fromServer.push(chunk));
  child.stdout?.on('end', () => fromServer.end());
  child.stdin?.on('error', () => {});
  stdin.pipe(child.stdin!);
  child.stdout?.pipe(stdout, { end: false });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onTerm = forward('SIGTERM');
  const onInt = forward('SIGINT');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  const result = await child;
  process.off('SIGTERM', onTerm);
  process.off('SIGINT', onInt);
  stdin.unpipe(child.stdin!);
  if (result.failed && result.exitCode === undefined && !result.signal) {
    warn(`Failed to start MCP server "${command.join(' ')}": ${result.shortMessage}`);
  }
  await channel?.close();
  return result.exitCode ?? (result.signal ? 128 + signalNumber(result.signal) : 1);
}

function signalNumber(signal: string): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15;
}

async function serveReplay(
  replayer: McpReplayer,
  stdin: Readable,
  stdout: Writable,
  channel: RecordChannel | null,
): Promise<number> {
  const send = (lines: string[]) => {
    if (lines.length === 0) return;
    for (const line of lines) channel?.send('server', line);
    stdout.write(`${lines.join('\n')}\n`);
  };
  send(replayer.preamble.map(encodeMessage));
  const splitter = new LineSplitter((line) => {
    channel?.send('client', line);
    send(replayer.receive(line));
  });
  await new Promise<void>((resolve) => {
    stdin.on('data', (chunk: Buffer) => splitter.push(chunk));
    stdin.on('end', () => {
      splitter.end();
      resolve();
    });
    stdin.on('error', () => resolve());
  });
  await channel?.close();
  return 0;
}
