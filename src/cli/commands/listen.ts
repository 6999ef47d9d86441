/**
 * `replaypack listen start|status|stop|env`: argument parsing and printing only; the behaviour
 * lives in `replaykit/listener`, which returns plain objects that `--json` prints as they are.
 */

import { realpathSync } from 'node:fs';
import { defineCommand } from 'citty';
import { cliName } from '../../cli-name.ts';
import { ExitCode, formatMessage } from '../../errors.ts';
import type { Agent, Shell } from '../../listener/env.ts';
import type { ListenerMode, ListenerPolicy, ListenOptions } from '../../listener/index.ts';
import {
  listenerEnv,
  listenerStatus,
  parseUpstreamArgs,
  runForeground,
  startListener,
  stopListener,
} from '../../listener/index.ts';
import { splitMcpUpstreams } from '../../mcp/upstreams.ts';
import { describeChanges, describeUpdate } from '../../replay/update-cassette.ts';
import { ignorePathArg, repeated } from '../args.ts';

const out = (text: string) => process.stdout.write(`${text}\n`);
const printJson = (value: unknown) => out(JSON.stringify(value, null, 2));
/** Loud notes (synthetic mode, --capture full) go to stderr so they survive `| tee` and pipes. */
const warn = (warnings: string[]) => {
  for (const w of warnings) process.stderr.write(`${formatMessage(`WARNING: ${w}`)}\n`);
};

const start = defineCommand({
  meta: { name: 'start', description: 'Start the passive listener (detached unless --foreground)' },
  args: {
    port: { type: 'string', description: 'Port to bind; 0 picks a free one', default: '8790' },
    host: { type: 'string', description: 'Interface to bind', default: '127.0.0.1' },
    out: { type: 'string', description: 'Directory for the .rpk artifacts' },
    mode: {
      type: 'enum',
      options: ['live', 'synthetic', 'replay', 'update'],
      description: 'Gateway mode',
    },
    cassette: { type: 'string', description: 'Cassette to serve (--mode replay, --mode update)' },
    chaos: {
      type: 'string',
      description:
        'Chaos replay: seed=N[,chunking=byte|random|N][,cutAfterEvents=N][,latencyMs=N|MIN-MAX][,status=429|500|503]',
    },
    'ignore-path': {
      ...ignorePathArg,
      description: `${ignorePathArg.description} (--mode replay)`,
    },
    upstream: {
      type: 'string',
      description:
        'provider=URL, repeatable (openai, anthropic, gemini, azure, bedrock, vertex, ollama; compat:NAME for an OpenAI-compatible server at /compat/NAME); mcp.NAME=URL for a streamable-HTTP MCP server at /mcp/NAME',
    },
    policy: {
      type: 'enum',
      options: ['live_only', 'best_effort', 'synthetic_allowed'],
      description: 'What to do on upstream faults',
    },
    'fail-on-synthetic': { type: 'boolean', description: 'Any synthetic fallback is a failure' },
    'allow-remote': { type: 'boolean', description: 'Allow a non-loopback --host (needs --token)' },
    token: { type: 'string', description: 'Token clients must send as x-replaykit-token' },
    capture: {
      type: 'enum',
      options: ['minimal', 'full'],
      description: 'full: keep bodies unminimised (secrets still redacted)',
    },
    'rotate-size': { type: 'string', description: 'Start a new artifact past this size (10MB)' },
    'rotate-interval': { type: 'string', description: 'Start a new artifact after this long (1h)' },
    timeout: { type: 'string', description: 'Upstream timeout (no head or no byte), e.g. 60s' },
    retries: { type: 'string', description: 'Retries of an upstream fault before the first byte' },
    'retry-backoff': { type: 'string', description: 'First retry backoff, doubled each time' },
    foreground: { type: 'boolean', description: 'Run in this process until stopped' },
    json: { type: 'boolean', description: 'Print one JSON object' },
  },
  async run({ args, rawArgs }) {
    const upstreamArgs = splitMcpUpstreams(repeated(rawArgs, '--upstream'));
    const options: ListenOptions = {
      port: Number(args.port),
      host: args.host,
      mode: args.mode as ListenerMode | undefined,
      policy: args.policy as ListenerPolicy | undefined,
      upstreams: parseUpstreamArgs(upstreamArgs.providers),
      mcpUpstreams: upstreamArgs.mcp,
      ignorePaths: repeated(rawArgs, '--ignore-path'),
      failOnSynthetic: Boolean(args['fail-on-synthetic']),
      allowRemote: Boolean(args['allow-remote']),
      ...(args.out ? { out: args.out } : {}),
      ...(args.cassette ? { cassette: args.cassette } : {}),
      ...(args.chaos ? { chaos: args.chaos } : {}),
      ...(args.token ? { token: args.token } : {}),
      ...(args.capture ? { capture: args.capture as 'minimal' | 'full' } : {}),
      ...(args['rotate-size'] ? { rotateSize: args['rotate-size'] } : {}),
      ...(args['rotate-interval'] ? { rotateInterval: args['rotate-interval'] } : {}),
      ...(args.timeout ? { timeout: args.timeout } : {}),
      ...(args.retries ? { retries: Number(args.retries) } : {}),
      ...(args['retry-backoff'] ? { retryBackoff: args['retry-backoff'] } : {}),
    };
    if (args.foreground) {
      const run = await runForeground({
        ...options,
        logFile: process.env.REPLAYKIT_LISTENER_LOG ?? null,
      });
      if (args.json) printJson({ status: 'running', ...withoutPromise(run) });
      else warn(run.warnings);
      if (!args.json)
        out(
          `Listener running at ${run.url} (pid ${run.pid}); stop it with Ctrl+C or "${cliName()} listen stop".`,
        );
      const result = await run.stopped;
      if (args.json) printJson({ status: 'stopped', ...result });
      else {
        out(`Listener stopped. Artifacts: ${result.artifacts.join(', ') || '(none)'}`);
        if (result.update && options.cassette) {
          out(describeUpdate(options.cassette, result.update));
        }
      }
      return;
    }
    const r = await startListener({ ...options, cliEntry: process.argv[1] as string });
    if (args.json) return printJson(r);
    warn(r.warnings);
    out(`Listener running at ${r.url}`);
    out(`  pid       ${r.pid}`);
    out(`  mode      ${r.mode} (policy ${r.policy})`);
    out(`  artifact  ${r.artifact ?? '(none)'}`);
    out(`  log       ${r.log}`);
    out(`Route your SDKs through it: eval "$(${cliName()} listen env)"`);
  },
});

function withoutPromise<T extends { stopped: unknown }>(run: T): Omit<T, 'stopped'> {
  const { stopped: _stopped, ...rest } = run;
  return rest;
}

const status = defineCommand({
  meta: { name: 'status', description: 'Show whether a listener is running, with its counters' },
  args: { json: { type: 'boolean', description: 'Print one JSON object' } },
  async run({ args }) {
    const s = await listenerStatus();
    if (args.json) return printJson(s);
    if (s.status === 'stopped')
      return out(`stopped: no listener is running (state in ${s.state_dir})`);
    if (s.status === 'stale') {
      return out(`stale: ${s.reason}${s.cleaned ? '; removed its state file' : ''}`);
    }
    const c = s.counts;
    out(`running  ${s.url}  pid ${s.pid}  mode ${s.mode}  policy ${s.policy}`);
    out(
      `  uptime ${s.uptime_s} s; requests ${c?.requests ?? 0}, errors ${c?.errors ?? 0}, synthetic ${c?.synthetic ?? 0}; degraded: ${s.degraded ? 'YES (capture faults: see the log)' : 'no'}`,
    );
    out(`  artifact ${s.artifact ?? '(none)'}`);
    for (const w of s.warnings) out(`  WARNING: ${w}`);
  },
});

const stop = defineCommand({
  meta: { name: 'stop', description: 'Drain in-flight streams, seal the artifacts, stop' },
  args: {
    json: { type: 'boolean', description: 'Print one JSON object' },
    timeout: { type: 'string', description: 'Drain timeout in milliseconds', default: '10000' },
  },
  async run({ args }) {
    const r = await stopListener({ timeoutMs: Number(args.timeout) });
    if (args.json) printJson(r);
    else {
      out(r.message);
      for (const a of r.artifacts) out(`  artifact ${a}`);
      if (r.update) out(`  cassette  ${describeChanges(r.update)}`);
      if (r.interrupted > 0)
        out(`  ${r.interrupted} in-flight exchange(s) cut at the drain timeout`);
    }
    if (r.synthetic_failure) process.exitCode = ExitCode.checkFailed;
  },
});

const env = defineCommand({
  meta: { name: 'env', description: 'Print lines that route SDKs and agents through the listener' },
  args: {
    shell: {
      type: 'enum',
      options: ['sh', 'fish', 'powershell', 'cmd'],
      description: 'Shell syntax',
    },
    agent: {
      type: 'enum',
      options: ['codex', 'claude-code'],
      description: 'Also route this agent',
    },
    url: { type: 'string', description: 'Listener URL (default: the running listener)' },
    mcp: {
      type: 'string',
      description:
        'NAME=COMMAND: wrap this stdio MCP server with "replaypack mcp wrap", repeatable',
    },
    'mcp-cassette': {
      type: 'string',
      description: 'The wrapped MCP servers answer from this cassette (mcp wrap --mode replay)',
    },
    provider: {
      type: 'string',
      description:
        "One provider's lines (azure, bedrock, vertex, ollama, compat:NAME...): variables, else the code option",
    },
    json: { type: 'boolean', description: 'Print one JSON object' },
  },
  async run({ args, rawArgs }) {
    const mcp = repeated(rawArgs, '--mcp');
    const r = await listenerEnv({
      ...(mcp.length > 0
        ? { mcp, wrapper: [process.execPath, realpathSync(process.argv[1] as string)] }
        : {}),
      ...(args['mcp-cassette'] ? { mcpCassette: args['mcp-cassette'] } : {}),
      ...(args.provider ? { provider: args.provider } : {}),
      ...(args.shell ? { shell: args.shell as Shell } : {}),
      ...(args.agent ? { agent: args.agent as Agent } : {}),
      ...(args.url ? { url: args.url } : {}),
    });
    if (args.json) return printJson(r);
    for (const line of r.lines) out(line);
  },
});

export default defineCommand({
  meta: {
    name: 'listen',
    description: 'Run a local listener that forwards and records provider traffic',
  },
  subCommands: {
    start,
    status,
    stop,
    env,
    transparent: () => import('./transparent.ts').then((m) => m.default),
  },
});
