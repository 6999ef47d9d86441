/**
 * `replaypack listen transparent start|stop|status|doctor`: parsing and printing only; the
 * behaviour lives in src/transparent/, whose plain result objects `--json` prints as they are.
 */
import { defineCommand } from 'citty';
import { ExitCode, UsageError } from '../../errors.ts';
import { parseUpstreamArgs } from '../../listener/options.ts';
import {
  type Backend,
  serveTransparent,
  startTransparent,
  stopTransparent,
  TransparentStartError,
  type TransparentStatus,
  transparentDoctor,
  transparentStatus,
} from '../../transparent/index.ts';
import { repeated } from '../args.ts';

const out = (text: string) => process.stdout.write(`${text}\n`);
const printJson = (value: unknown) => out(JSON.stringify(value, null, 2));
const json = { type: 'boolean', description: 'Print one JSON object' } as const;
const backendArg = {
  type: 'enum' as const,
  options: ['pf', 'nft'],
  description: 'Firewall backend (default: pf on macOS, nft on Linux)',
};

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`Invalid ${flag} "${value}": expected a non-negative integer.`);
  return n;
}

function printStatus(s: TransparentStatus) {
  out(
    `${s.state}  backend ${s.backend}${s.pid ? `  pid ${s.pid}` : ''}${s.port ? `  port ${s.port}` : ''}`,
  );
  if (s.reason) out(`  reason    ${s.reason}`);
  out(
    `  hosts     ${s.hosts.join(', ')}${s.addresses.length ? ` (${s.addresses.join(', ')})` : ''}`,
  );
  out(`  ca        ${s.ca ? `${s.ca.path} (sha256 ${s.ca.sha256})` : '(not created yet)'}`);
  if (s.artifact) out(`  artifact  ${s.artifact}`);
  if (s.counts) out(`  requests  ${s.counts.requests}, errors ${s.counts.errors}`);
  for (const r of s.rollback) out(`  undo      ${r.step}: ${r.commands.join('; ') || '(nothing)'}`);
}

const start = defineCommand({
  meta: {
    name: 'start',
    description: 'Redirect provider hosts to a local TLS listener (needs root)',
  },
  args: {
    port: {
      type: 'string',
      description: 'Listener port on 127.0.0.1; 0 picks a free one',
      default: '0',
    },
    out: { type: 'string', description: 'Directory for the .rpk artifacts' },
    hosts: {
      type: 'string',
      description: 'Comma-separated provider hosts (default: OpenAI, Anthropic, Gemini)',
    },
    upstream: {
      type: 'string',
      description: 'provider=URL, repeatable: forward there instead of the real host',
    },
    capture: {
      type: 'enum',
      options: ['minimal', 'full'],
      description: 'full: keep bodies unminimised (secrets still redacted)',
    },
    'exempt-gid': {
      type: 'string',
      description: 'Group the listener runs as (its traffic is not redirected)',
    },
    backend: backendArg,
    json,
  },
  async run({ args, rawArgs }) {
    try {
      const r = await startTransparent({
        port: integer(args.port, '--port') ?? 0,
        upstreams: parseUpstreamArgs(repeated(rawArgs, '--upstream')),
        ...(args.out ? { out: args.out } : {}),
        ...(args.hosts
          ? {
              hosts: args.hosts
                .split(',')
                .map((h) => h.trim())
                .filter(Boolean),
            }
          : {}),
        ...(args.capture ? { capture: args.capture as 'minimal' | 'full' } : {}),
        ...(args['exempt-gid']
          ? { exemptGid: integer(args['exempt-gid'], '--exempt-gid') as number }
          : {}),
        ...(args.backend ? { backend: args.backend as Backend } : {}),
        cliEntry: process.argv[1] as string,
      });
      if (args.json) return printJson(r);
      if (r.recovered) out(`Reverted a stale session first: ${r.recovered.message}`);
      out(
        r.already_running
          ? 'Transparent mode was already running; nothing changed.'
          : 'Transparent mode running.',
      );
      printStatus(r);
    } catch (error) {
      if (args.json && error instanceof TransparentStartError)
        printJson({ state: 'stopped', ok: false, error: error.message, ...error.report });
      throw error;
    }
  },
});

const stop = defineCommand({
  meta: {
    name: 'stop',
    description: 'Undo every change (rules, trust, listener) and seal the artifact',
  },
  args: { json },
  async run({ args }) {
    const r = await stopTransparent();
    if (args.json) printJson(r);
    else {
      out(r.message);
      for (const s of r.steps)
        out(
          `  ${s.ok ? 'ok  ' : 'FAIL'} ${s.step}${s.command ? `: ${s.command}` : ''} (${s.detail})`,
        );
      for (const a of r.artifacts) out(`  artifact ${a}`);
    }
    if (!r.ok) process.exitCode = ExitCode.environment;
  },
});

const status = defineCommand({
  meta: {
    name: 'status',
    description: 'running, stopped or stale, with rules, CA and pending rollback',
  },
  args: { json },
  async run({ args }) {
    const s = await transparentStatus();
    if (args.json) return printJson(s);
    printStatus(s);
  },
});

const doctor = defineCommand({
  meta: {
    name: 'doctor',
    description: 'Check what transparent mode needs and which clients trust the CA (read-only)',
  },
  args: { backend: backendArg, json },
  async run({ args }) {
    const r = await transparentDoctor(args.backend ? { backend: args.backend as Backend } : {});
    if (args.json) printJson(r);
    else {
      out(r.ready ? 'ready' : 'NOT ready');
      for (const c of r.checks) {
        out(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
        if (!c.ok) out(`       fix: ${c.fix}`);
      }
    }
    if (!r.ready) process.exitCode = ExitCode.checkFailed;
  },
});

const serve = defineCommand({
  meta: { name: 'serve', description: '(internal) the listener process that start spawns' },
  args: {
    port: { type: 'string', description: 'TLS port on 127.0.0.1', required: true },
    out: { type: 'string', description: 'Directory for the .rpk artifacts' },
    upstream: { type: 'string', description: 'provider=URL, repeatable' },
    capture: { type: 'enum', options: ['minimal', 'full'], description: 'Capture detail' },
  },
  async run({ args, rawArgs }) {
    const run = await serveTransparent({
      port: integer(args.port, '--port') ?? 0,
      upstreams: parseUpstreamArgs(repeated(rawArgs, '--upstream')),
      ...(args.out ? { out: args.out } : {}),
      ...(args.capture ? { capture: args.capture as 'minimal' | 'full' } : {}),
      logFile: process.env.REPLAYKIT_LISTENER_LOG ?? null,
    });
    process.stderr.write(`transparent TLS front on 127.0.0.1:${run.front.port}\n`);
    await run.stopped;
  },
});

export default defineCommand({
  meta: {
    name: 'transparent',
    description: 'Capture provider traffic without routing env (pf / nftables)',
  },
  subCommands: { start, stop, status, doctor, serve },
});
