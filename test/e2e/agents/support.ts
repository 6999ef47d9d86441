/**
 * The E2E harness for the real coding agents: the pinned CLIs from test/agents (installed by
 * `npm ci --prefix test/agents`), a listener started through the real `replaypack` CLI with its own
 * REPLAYKIT_HOME, the fake upstream, and the agent run through the exact lines
 * `replaypack listen env --agent ...` printed (evaluated by sh), so those lines are what is tested.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { isPidAlive } from '../../../src/listener/status.ts';
import { CLI_ENTRY, replaypack } from '../../support/cli.ts';

const AGENTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../agents');
export const BIN_DIR = join(AGENTS_DIR, 'node_modules', '.bin');
const BINARIES = { codex: 'codex', 'claude-code': 'claude' } as const;
export type AgentCli = keyof typeof BINARIES;

export function binary(agent: AgentCli): string {
  return join(BIN_DIR, BINARIES[agent]);
}

/**
 * Why the agent cannot run here, or null when it can. The suite skips only for this reason and
 * says so on stderr (a skip must never look like a pass).
 */
export function unavailable(agent: AgentCli): string | null {
  if (process.platform === 'win32') {
    return 'the agent E2E drives the agents through sh (the lines of "listen env --shell sh")';
  }
  if (!existsSync(binary(agent))) {
    return `${binary(agent)} is missing: run "npm ci --prefix test/agents" (it failed or was not run)`;
  }
  return null;
}

export function announceSkip(agent: AgentCli, reason: string): void {
  process.stderr.write(
    `\n${'!'.repeat(78)}\n!! SKIPPING the ${agent} E2E suite: ${reason}\n${'!'.repeat(78)}\n\n`,
  );
}

export async function agentVersion(agent: AgentCli): Promise<string> {
  const r = await execa(binary(agent), ['--version'], { reject: false, stdin: 'ignore' });
  return String(r.stdout).trim();
}

/** A private world per test: REPLAYKIT_HOME, artifacts, the agent's home, its working dir. */
export interface World {
  root: string;
  home: string;
  out: string;
  work: string;
  pids: Set<number>;
  cli(args: string[], extraEnv?: Record<string, string>): ReturnType<typeof replaypack>;
  cleanup(): Promise<void>;
}

export function createWorld(): World {
  const root = mkdtempSync(join(tmpdir(), 'rk-agents-'));
  const home = join(root, 'rk-home');
  const out = join(root, 'out');
  const work = join(root, 'work');
  for (const d of [home, out, work]) mkdirSync(d, { recursive: true });
  const pids = new Set<number>();
  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    replaypack(args, { env: { REPLAYKIT_HOME: home, ...extraEnv } });
  return {
    root,
    home,
    out,
    work,
    pids,
    cli,
    async cleanup() {
      await cli(['listen', 'stop']);
      for (const pid of pids) if (isPidAlive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface Listener {
  url: string;
  pid: number;
  artifact: string;
}

export async function startListener(world: World, args: string[]): Promise<Listener> {
  const r = await world.cli([
    'listen',
    'start',
    '--port',
    '0',
    '--out',
    world.out,
    ...args,
    '--json',
  ]);
  if (r.exitCode !== 0) throw new Error(`listen start failed (${r.exitCode}): ${r.stderr}`);
  const started = JSON.parse(r.stdout) as Listener;
  world.pids.add(started.pid);
  return started;
}

export async function stopListener(world: World): Promise<{ artifacts: string[] }> {
  const r = await world.cli(['listen', 'stop', '--json']);
  if (r.exitCode !== 0) throw new Error(`listen stop failed (${r.exitCode}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { artifacts: string[] };
}

/** The lines `listen env --agent` prints for sh, verbatim. */
export async function envLines(world: World, agent: AgentCli): Promise<string> {
  const r = await world.cli(['listen', 'env', '--agent', agent, '--shell', 'sh']);
  if (r.exitCode !== 0) throw new Error(`listen env failed (${r.exitCode}): ${r.stderr}`);
  return r.stdout;
}

/**
 * The `codex ... exec ...` command the env output shows in its comments (there is no variable
 * Codex reads): `which` 0 is the default route (WebSocket first), 1 the custom HTTP/SSE provider.
 */
export function codexCommand(lines: string, which: 0 | 1): string {
  const commands = lines
    .split('\n')
    .filter((l) => /^#\s+codex .* exec --skip-git-repo-check \.\.\.$/.test(l))
    .map((l) => l.replace(/^#\s+/, '').replace(/ exec --skip-git-repo-check \.\.\.$/, ''));
  const command = commands[which];
  if (!command) throw new Error(`listen env printed no codex command #${which}:\n${lines}`);
  return command;
}

export interface AgentRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Parsed JSONL/NDJSON lines of stdout. */
  events: Record<string, unknown>[];
}

const SHM = '/dev/shm';
const faketimeState = () =>
  existsSync(SHM) ? readdirSync(SHM).filter((f) => /^(sem\.)?faketime_(sem|shm)_\d+$/.test(f)) : [];

export interface RunOptions {
  /** The folder the agent runs in (default the world's `work`). */
  cwd?: string;
  /**
   * More variables for the agent alone (e.g. libfaketime's, to run it on another day). Set by
   * `env` in front of the agent, not for sh: libfaketime 0.9.10 loaded into sh creates its shared
   * clock state, and the agent exec'd in sh's place then fails to open it ("sem_open failed").
   */
  env?: Record<string, string>;
}

/**
 * Runs `script` with sh in the agent's world: the env lines are evaluated first, exactly as a user
 * pastes them; the agent binaries come first on PATH; stdin is /dev/null (Codex waits for it).
 */
export async function runAgent(
  world: World,
  agent: AgentCli,
  env: string,
  command: string,
  agentHome: string,
  options: RunOptions = {},
): Promise<AgentRun> {
  // A fresh home at the same path on every run: nothing carries over from the recorded run, yet
  // paths the agent puts in its prompt (Codex lists $CODEX_HOME/skills) are the same.
  rmSync(agentHome, { recursive: true, force: true });
  mkdirSync(agentHome, { recursive: true });
  const homeVars: Record<string, string> =
    agent === 'codex'
      ? { CODEX_HOME: agentHome, HOME: agentHome, OPENAI_API_KEY: 'sk-test-FAKE' }
      : { HOME: agentHome, ANTHROPIC_API_KEY: 'sk-ant-test-FAKE' };
  // `exec`: the agent replaces sh, so a timeout kills the agent itself, not only its shell.
  const only = Object.entries(options.env ?? {})
    .map(([k, v]) => `${k}='${v.replaceAll("'", `'\\''`)}' `)
    .join('');
  const script = `${env}\nexec ${only ? `env ${only}` : ''}${command} </dev/null`;
  const before = new Set(faketimeState());
  const r = await execa('sh', ['-c', script], {
    cwd: options.cwd ?? world.work,
    reject: false,
    timeout: Number(process.env.RK_AGENT_TIMEOUT ?? 120_000),
    // A clean environment: nothing from the developer's own agent setup leaks in.
    extendEnv: false,
    env: {
      PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`,
      LANG: 'C.UTF-8',
      NO_COLOR: '1',
      ...homeVars,
    },
  });
  // libfaketime leaves its shared clock state in /dev/shm, named by the pid of a process it was
  // loaded into (the agent's, and those the agent spawns for its tools). A later process with the
  // same pid finds it and fails ("sem_open failed ... File exists"): what this run left is removed.
  if (options.env?.LD_PRELOAD) {
    for (const f of faketimeState()) if (!before.has(f)) rmSync(join(SHM, f), { force: true });
  }
  const stdout = String(r.stdout);
  const events: Record<string, unknown>[] = [];
  for (const line of stdout.split('\n')) {
    try {
      const v = JSON.parse(line);
      if (v && typeof v === 'object') events.push(v);
    } catch {
      // Not an event line.
    }
  }
  return { exitCode: r.exitCode ?? -1, stdout, stderr: String(r.stderr), events };
}

export { CLI_ENTRY };

/** Every .rpk in a directory (a listener may rotate). */
export function artifactsIn(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.rpk'))
        .map((f) => join(dir, f))
    : [];
}

/** POSTs an agent's event stream to the running listener's ingest route. */
export async function postIngest(
  url: string,
  agent: AgentCli,
  text: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/__replaykit/ingest/${agent}`, { method: 'POST', body: text });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
