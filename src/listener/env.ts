/**
 * `listen env`: the lines that route SDKs and agents through the listener, quoted for the shell
 * they will be pasted into. Output is deterministic (fixed order, no timestamps) so it can be
 * diffed and checked into scripts.
 */

import { resolve } from 'node:path';
import { cliName } from '../cli-name.ts';
import { ExitCode, ReplayKitError, UsageError } from '../errors.ts';
import { claudeMcpConfig, codexMcpArgs, type McpServerSpec, parseMcpSpec } from '../mcp/config.ts';
import { PROVIDERS, providerModule } from '../providers/index.ts';
import { inspectListener } from './status.ts';

/** OpenAI's line first: scripts and docs have printed it first since `listen env` began. */
const ENV_ORDER = [...PROVIDERS].sort((a, b) =>
  a.name === 'openai' ? -1 : b.name === 'openai' ? 1 : 0,
);

export const SHELLS = ['sh', 'fish', 'powershell', 'cmd'] as const;
export type Shell = (typeof SHELLS)[number];
export const AGENTS = ['codex', 'claude-code'] as const;
export type Agent = (typeof AGENTS)[number];

export interface EnvOptions {
  /** Default: powershell on Windows, sh elsewhere. */
  shell?: Shell;
  agent?: Agent;
  /** Use this listener URL instead of the running one. */
  url?: string;
  stateDir?: string;
  /** `NAME=COMMAND` stdio MCP servers to wrap with `replaypack mcp wrap` (needs `agent`). */
  mcp?: string[];
  /** The wrapped servers answer from this cassette, without starting (`mcp wrap --mode replay`). */
  mcpCassette?: string;
  /** How the agent starts replaypack for the wrapper. Default `["replaypack"]`. */
  wrapper?: string[];
  /**
   * One provider's lines instead of the default set: its SDKs' routing variables, and as
   * comments the code-level base-URL option where they read none. `compat:NAME` for an
   * OpenAI-compatible server.
   */
  provider?: string;
}

export interface EnvResult {
  url: string;
  shell: Shell;
  agent: Agent | null;
  /** Variables to set, in print order. */
  env: Record<string, string>;
  /** For Codex, which ignores OPENAI_BASE_URL: extra `codex` arguments (MCP servers included). */
  agent_args: string[];
  /** With `--mcp` and Claude Code: the `--mcp-config` JSON (also in REPLAYKIT_MCP_CONFIG). */
  mcp_config: string | null;
  lines: string[];
}

export async function listenerEnv(options: EnvOptions = {}): Promise<EnvResult> {
  const shell = options.shell ?? (process.platform === 'win32' ? 'powershell' : 'sh');
  if (!SHELLS.includes(shell)) {
    throw new UsageError(`Invalid --shell "${shell}": expected one of ${SHELLS.join(', ')}.`);
  }
  if (options.agent !== undefined && !AGENTS.includes(options.agent)) {
    throw new UsageError(
      `Invalid --agent "${options.agent}": expected one of ${AGENTS.join(', ')}.`,
    );
  }
  const servers: McpServerSpec[] = (options.mcp ?? []).map(parseMcpSpec);
  if (servers.length > 0 && options.agent === undefined) {
    throw new UsageError(
      'Failed to print the MCP config: --mcp needs --agent claude-code or --agent codex (each agent has its own config format).',
    );
  }
  const url = (options.url ?? (await runningUrl(options.stateDir))).replace(/\/+$/, '');
  const wrapper = options.wrapper ?? ['replaypack'];
  const target = {
    listener: url,
    ...(options.mcpCassette ? { cassette: resolve(options.mcpCassette) } : {}),
  };
  let mcpConfig: string | null = null;
  const env: Record<string, string> = {};
  const comment = shell === 'cmd' ? 'rem' : '#';
  const notes: string[] = [];
  if (options.provider !== undefined) {
    const [name, server] = providerArg(options.provider);
    const module = providerModule(name);
    if (!module) {
      const names = PROVIDERS.map((m) => (m.name === 'openai-compatible' ? 'compat:NAME' : m.name));
      throw new UsageError(
        `Invalid --provider "${options.provider}": expected one of ${names.join(', ')}.`,
      );
    }
    Object.assign(env, module.routingEnv?.(url, server));
    const code = module.codeOptions?.(url, server) ?? [];
    if (code.length > 0) {
      notes.push(
        `${comment} ${Object.keys(env).length > 0 ? 'SDKs that read no variable' : 'Its SDKs read no variable'}: point them at the listener in code:`,
        ...code.map((line) => `${comment}   ${line}`),
      );
    }
  } else {
    for (const module of ENV_ORDER) {
      if (module.envByDefault) Object.assign(env, module.routingEnv?.(url));
    }
  }
  const lines: string[] = [];
  const agentArgs: string[] = [];
  if (options.agent === 'claude-code') {
    env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = '1';
    if (servers.length > 0) {
      mcpConfig = claudeMcpConfig(wrapper, servers, target);
      env.REPLAYKIT_MCP_CONFIG = mcpConfig;
    }
  }
  for (const [name, value] of Object.entries(env)) lines.push(setLine(shell, name, value));
  lines.push(...notes);
  if (mcpConfig !== null) {
    const ref =
      shell === 'powershell'
        ? '$env:REPLAYKIT_MCP_CONFIG'
        : shell === 'cmd'
          ? '"%REPLAYKIT_MCP_CONFIG%"'
          : '"$REPLAYKIT_MCP_CONFIG"';
    lines.push(
      `${comment} MCP servers ${servers.map((s) => s.name).join(', ')} run through "${cliName()} mcp wrap". Run Claude Code with:`,
      `${comment}   claude --mcp-config ${ref} ...`,
    );
  }
  if (options.agent === 'codex') {
    const base = `${url}/v1`;
    const mcpArgs = codexMcpArgs(wrapper, servers, target);
    agentArgs.push('-c', `openai_base_url="${base}"`, ...mcpArgs);
    const provider = `model_providers.replaykit={name="replaykit", base_url="${base}", env_key="OPENAI_API_KEY", wire_api="responses", supports_websockets=false}`;
    lines.push(
      `${comment} Codex ignores OPENAI_BASE_URL. Run it with:`,
      `${comment}   codex ${agentArgs.map((a) => arg(shell, a)).join(' ')} exec --skip-git-repo-check ...`,
      `${comment} or put this line in $CODEX_HOME/config.toml (default ~/.codex/config.toml):`,
      `${comment}   openai_base_url = "${base}"`,
      `${comment} or, for plain HTTP/SSE without the WebSocket attempts, a custom provider:`,
      `${comment}   codex -c model_provider=replaykit -c ${arg(shell, provider)}${mcpArgs.map((a) => ` ${arg(shell, a)}`).join('')} exec --skip-git-repo-check ...`,
    );
  }
  return {
    url,
    shell,
    agent: options.agent ?? null,
    env,
    agent_args: agentArgs,
    mcp_config: mcpConfig,
    lines,
  };
}

/** `compat:groq` → openai-compatible and groq; other names stand for themselves. */
function providerArg(value: string): [string, string | undefined] {
  const compat = /^compat:(.+)$/.exec(value);
  return compat ? ['openai-compatible', compat[1]] : [value, undefined];
}

async function runningUrl(stateDir: string | undefined): Promise<string> {
  const { status } = await inspectListener(stateDir === undefined ? {} : { stateDir });
  if (status.status === 'running' && status.url) return status.url;
  throw new ReplayKitError(
    'E_NOT_RUNNING',
    `Failed to print the environment: no listener is running (state in ${status.state_dir}). Start one with "${cliName()} listen start", or pass --url http://HOST:PORT.`,
    { exitCode: ExitCode.environment },
  );
}

export function setLine(shell: Shell, name: string, value: string): string {
  switch (shell) {
    case 'fish':
      return `set -gx ${name} ${quote(shell, value)}`;
    case 'powershell':
      return `$env:${name} = ${quote(shell, value)}`;
    case 'cmd':
      return `set "${name}=${cmdSafe(value)}"`;
    default:
      return `export ${name}=${quote(shell, value)}`;
  }
}

/** A command argument: plain words stay bare (readable), anything else is quoted. */
export function arg(shell: Shell, value: string): string {
  return /^[A-Za-z0-9_./:=-]+$/.test(value) ? value : quote(shell, value);
}

/** Single-quotes a value so the shell takes it literally. */
export function quote(shell: Shell, value: string): string {
  switch (shell) {
    case 'fish':
      return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
    case 'powershell':
      return `'${value.replace(/'/g, "''")}'`;
    case 'cmd':
      return `"${cmdSafe(value).replace(/"/g, '""')}"`;
    default:
      return `'${value.replace(/'/g, `'\\''`)}'`;
  }
}

/**
 * cmd.exe has no quoting that stops `%VAR%` expansion at the prompt, and `"` ends `set "..."`:
 * refuse such values rather than print a line that silently means something else.
 */
function cmdSafe(value: string): string {
  if (/[%\r\n]/.test(value)) {
    throw new UsageError(
      `Failed to quote "${value}" for cmd.exe: it contains % or a line break. Use --shell powershell.`,
    );
  }
  return value;
}
