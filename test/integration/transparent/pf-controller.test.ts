/**
 * The macOS controller (pf + login keychain), driven through a scripted command runner: the exact
 * `pfctl` / `security` calls and their order, every state (running, stopped, stale), and the
 * rollback after a failure injected at EVERY step of start and of stop. The listener is the real
 * process on loopback; nothing touches this machine's firewall or keychain.
 */
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Command,
  type CommandResult,
  type CommandRunner,
  commandLine,
  startTransparent,
  stopTransparent,
  type TransparentOptions,
  TransparentStartError,
  transparentStatus,
} from '../../../src/transparent/index.ts';
import { withAnchor } from '../../../src/transparent/pf.ts';
import { CLI_ENTRY } from '../../support/cli.ts';

// Apple's stock /etc/pf.conf (macOS 14), the file pf-main-ruleset extends and stop reloads.
const APPLE_PF_CONF = `scrub-anchor "com.apple/*"
nat-anchor "com.apple/*"
rdr-anchor "com.apple/*"
dummynet-anchor "com.apple/*"
anchor "com.apple/*"
load anchor "com.apple" from "/etc/pf.anchors/com.apple"
`;
const KEYCHAIN = '/Users/dev/Library/Keychains/login.keychain-db';
const ADDRESS = '203.0.113.7';
const TOKEN = '13835058055282163713';

class ScriptedRunner implements CommandRunner {
  readonly calls: Command[] = [];
  private readonly failing: Set<string>;
  constructor(failing: Set<string> = new Set()) {
    this.failing = failing;
  }
  async run(command: Command): Promise<CommandResult> {
    this.calls.push(command);
    const line = commandLine(command);
    if (this.failing.has(line)) return { code: 1, stdout: '', stderr: `injected failure: ${line}` };
    // pfctl prints the enable token on stderr.
    if (line === 'pfctl -E')
      return { code: 0, stdout: '', stderr: `pf enabled\nToken : ${TOKEN}\n` };
    return { code: 0, stdout: '', stderr: '' };
  }
  get lines(): string[] {
    return this.calls.map(commandLine);
  }
}

let root: string;
let pfConfPath: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rk-pf-'));
  pfConfPath = join(root, 'pf.conf');
  await writeFile(pfConfPath, APPLE_PF_CONF);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let homes = 0;
function options(runner: CommandRunner, extra: Partial<TransparentOptions> = {}) {
  const stateDir = join(root, `home-${++homes}`);
  return {
    stateDir,
    backend: 'pf',
    runner,
    hosts: ['api.openai.com'],
    resolveHost: async () => [ADDRESS],
    pfConfPath,
    keychain: KEYCHAIN,
    out: join(stateDir, 'out'),
    cliEntry: CLI_ENTRY,
    ...extra,
  } satisfies TransparentOptions;
}

/** Live transparent listener processes started with this state dir (zombies excluded). */
function listenersOf(stateDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('transparent\0serve')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`REPLAYKIT_HOME=${stateDir}\0`))
        found.push(Number(entry));
    } catch {}
  }
  return found;
}

function expectedCalls(caPath: string, sha1: string, port: number) {
  const apply = {
    'keychain-trust': [`security add-trusted-cert -r trustRoot -k ${KEYCHAIN} ${caPath}`],
    listener: [],
    'pf-enable': ['pfctl -E'],
    'pf-main-ruleset': ['pfctl -f -'],
    'pf-anchor': ['pfctl -a replaykit -f -'],
  } as Record<string, string[]>;
  const undo = {
    'keychain-trust': [
      `security remove-trusted-cert ${caPath}`,
      `security delete-certificate -Z ${sha1.replaceAll(':', '')} ${KEYCHAIN}`,
    ],
    listener: [],
    'pf-enable': [`pfctl -X ${TOKEN}`],
    'pf-main-ruleset': [`pfctl -f ${pfConfPath}`],
    'pf-anchor': ['pfctl -a replaykit -F all'],
  } as Record<string, string[]>;
  return { apply, undo, port };
}

const STEPS = ['keychain-trust', 'listener', 'pf-enable', 'pf-main-ruleset', 'pf-anchor'];

function sha1Of(caPath: string): string {
  return new X509Certificate(readFileSync(caPath)).fingerprint;
}

// Every case spawns the real listener process: generous on a loaded machine.
describe('pf controller (scripted runner)', { timeout: 120_000 }, () => {
  it('start makes exactly these calls in this order, status says running, stop undoes them in reverse', async () => {
    const runner = new ScriptedRunner();
    const o = options(runner);
    const started = await startTransparent(o);
    expect(started).toMatchObject({
      state: 'running',
      backend: 'pf',
      addresses: [ADDRESS],
      already_running: false,
    });
    const ca = started.ca?.path as string;
    const { apply, undo } = expectedCalls(ca, sha1Of(ca), started.port as number);
    expect(runner.lines).toEqual(STEPS.flatMap((s) => apply[s] ?? []));
    // The main ruleset names our anchor in its translation and filter sections, in pf's order.
    expect(runner.calls[2]?.input).toBe(withAnchor(APPLE_PF_CONF));
    expect(runner.calls[2]?.input).toContain('rdr-anchor "com.apple/*"\nrdr-anchor "replaykit"\n');
    expect(runner.calls[2]?.input).toContain('anchor "com.apple/*"\nanchor "replaykit"\n');
    expect(runner.calls[3]?.input).toBe(
      [
        `table <replaykit_hosts> { ${ADDRESS} }`,
        `rdr pass on lo0 inet proto tcp from any to <replaykit_hosts> port 443 -> 127.0.0.1 port ${started.port}`,
        `pass out route-to lo0 inet proto tcp from any to <replaykit_hosts> port 443 group != ${started.exempt_gid} keep state`,
        '',
      ].join('\n'),
    );
    expect(started.rules).toBe(runner.calls[3]?.input);
    expect(listenersOf(o.stateDir)).toEqual([started.pid]);

    const status = await transparentStatus(o);
    expect(status).toMatchObject({ state: 'running', backend: 'pf', hosts: ['api.openai.com'] });
    expect(status.rollback.map((r) => r.step)).toEqual([...STEPS].reverse());
    expect(status.ca?.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    runner.calls.length = 0;
    const stopped = await stopTransparent(o);
    expect(stopped).toMatchObject({ state: 'stopped', was: 'running', ok: true });
    expect(runner.lines).toEqual([...STEPS].reverse().flatMap((s) => undo[s] ?? []));
    // Each step reported, newest first, every one undone.
    expect([...new Set(stopped.steps.map((s) => s.step))]).toEqual([...STEPS].reverse());
    expect(stopped.steps.every((s) => s.ok && s.action === 'undo')).toBe(true);
    expect(listenersOf(o.stateDir)).toEqual([]);
    expect((await transparentStatus(o)).state).toBe('stopped');
    // Nothing left to undo: a second stop makes no call.
    runner.calls.length = 0;
    expect(await stopTransparent(o)).toMatchObject({ was: 'stopped', ok: true, steps: [] });
    expect(runner.calls).toEqual([]);
  });

  it('start on a running session is idempotent: no call, same listener', async () => {
    const runner = new ScriptedRunner();
    const o = options(runner);
    const first = await startTransparent(o);
    runner.calls.length = 0;
    const second = await startTransparent(o);
    expect(second).toMatchObject({
      state: 'running',
      already_running: true,
      pid: first.pid,
      steps: [],
    });
    expect(runner.calls).toEqual([]);
    expect((await stopTransparent(o)).ok).toBe(true);
  });

  it.each(STEPS.map((step, index) => [step, index] as const))(
    'a failure injected at start step "%s" rolls back every earlier change, in reverse, and leaves nothing',
    async (step, index) => {
      const runner = new ScriptedRunner();
      let blocker: net.Server | undefined;
      let extra: Partial<TransparentOptions> = {};
      if (step === 'listener') {
        // The listener's own failure: its port is taken.
        blocker = net.createServer();
        await new Promise<void>((resolve) => blocker?.listen(0, '127.0.0.1', resolve));
        extra = { port: (blocker.address() as net.AddressInfo).port };
      }
      const o = options(runner, extra);
      // The failing command is decided after the CA exists: its path is in the call.
      const caPath = join(o.stateDir, 'transparent', 'ca.pem');
      const failing: Record<string, string> = {
        'keychain-trust': `security add-trusted-cert -r trustRoot -k ${KEYCHAIN} ${caPath}`,
        'pf-enable': 'pfctl -E',
        'pf-main-ruleset': 'pfctl -f -',
        'pf-anchor': 'pfctl -a replaykit -f -',
      };
      const failingRunner = new ScriptedRunner(new Set(failing[step] ? [failing[step]] : []));
      const error = await startTransparent({ ...o, runner: failingRunner }).catch((e) => e);
      blocker?.close();
      expect(error).toBeInstanceOf(TransparentStartError);
      expect(error.message).toContain(`at step "${step}"`);
      expect(error.message).toContain('Every change was rolled back.');
      const { apply, undo } = expectedCalls(caPath, sha1Of(caPath), 0);
      const attempted = STEPS.slice(0, index + 1);
      // The failed step was journaled as pending, so its undo runs too (it may have half-happened),
      // except pf-enable, whose undo needs the token a failed `pfctl -E` never printed.
      const undone = [...attempted]
        .reverse()
        .flatMap((s) => (s === 'pf-enable' && s === step ? [] : (undo[s] ?? [])));
      expect(failingRunner.lines).toEqual([...attempted.flatMap((s) => apply[s] ?? []), ...undone]);
      expect(error.report.rollback).toMatchObject({ ok: true, was: 'stale' });
      expect((await transparentStatus(o)).state).toBe('stopped');
      expect(listenersOf(o.stateDir)).toEqual([]);
    },
  );

  it.each(STEPS.filter((s) => s !== 'listener'))(
    'a failure injected at stop undoing "%s" is reported, the other undos still run, and the next stop finishes it',
    async (step) => {
      const healthy = new ScriptedRunner();
      const o = options(healthy);
      const started = await startTransparent(o);
      const ca = started.ca?.path as string;
      const { undo } = expectedCalls(ca, sha1Of(ca), 0);
      const failingLine = (undo[step] ?? [])[0] as string;
      const failing = new ScriptedRunner(new Set([failingLine]));
      const stopped = await stopTransparent({ ...o, runner: failing });
      expect(stopped.ok).toBe(false);
      expect(stopped.message).toContain('NOT fully reverted');
      expect(failing.lines).toEqual([...STEPS].reverse().flatMap((s) => undo[s] ?? []));
      expect(stopped.steps.filter((s) => !s.ok)).toEqual([
        expect.objectContaining({
          step,
          command: failingLine,
          detail: `injected failure: ${failingLine}`,
        }),
      ]);
      expect(listenersOf(o.stateDir)).toEqual([]);
      // The listener is gone but a change remains: stale, with exactly that step pending.
      const status = await transparentStatus(o);
      expect(status.state).toBe('stale');
      expect(status.rollback.map((r) => r.step)).toEqual([step]);
      const retry = new ScriptedRunner();
      expect(await stopTransparent({ ...o, runner: retry })).toMatchObject({
        ok: true,
        was: 'stale',
      });
      expect(retry.lines).toEqual(undo[step]);
      expect((await transparentStatus(o)).state).toBe('stopped');
    },
  );

  it('after kill -9 of the listener, status says stale; stop reverts it with the same calls', async () => {
    const runner = new ScriptedRunner();
    const o = options(runner);
    const started = await startTransparent(o);
    process.kill(started.pid as number, 'SIGKILL');
    const status = await transparentStatus(o);
    expect(status).toMatchObject({
      state: 'stale',
      // Gone, or not answering yet in the instant after the signal: stale either way.
      reason: expect.stringContaining(`the listener (pid ${started.pid})`),
    });
    runner.calls.length = 0;
    const stopped = await stopTransparent(o);
    expect(stopped).toMatchObject({ was: 'stale', ok: true });
    const ca = started.ca?.path as string;
    const { undo } = expectedCalls(ca, sha1Of(ca), 0);
    expect(runner.lines).toEqual([...STEPS].reverse().flatMap((s) => undo[s] ?? []));
    expect(stopped.artifacts).toEqual([started.artifact]);
  });

  it('after kill -9, the next start reverts the stale session, then applies afresh', async () => {
    const runner = new ScriptedRunner();
    const o = options(runner);
    const first = await startTransparent(o);
    process.kill(first.pid as number, 'SIGKILL');
    runner.calls.length = 0;
    const second = await startTransparent(o);
    expect(second).toMatchObject({ state: 'running', recovered: { was: 'stale', ok: true } });
    const ca = first.ca?.path as string;
    const { apply, undo } = expectedCalls(ca, sha1Of(ca), 0);
    expect(runner.lines).toEqual([
      ...[...STEPS].reverse().flatMap((s) => undo[s] ?? []),
      ...STEPS.flatMap((s) => apply[s] ?? []),
    ]);
    expect((await stopTransparent(o)).ok).toBe(true);
    expect(listenersOf(o.stateDir)).toEqual([]);
  });

  it('property: for any failing start step and any failing undos, every undo is attempted once, in reverse, and a healthy stop finishes exactly the failed ones', async () => {
    const commandSteps = STEPS.filter((s) => s !== 'listener');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...commandSteps),
        fc.subarray(commandSteps),
        async (failAt, undoFailures) => {
          const o = options(new ScriptedRunner());
          const caPath = join(o.stateDir, 'transparent', 'ca.pem');
          const applyLine: Record<string, string> = {
            'keychain-trust': `security add-trusted-cert -r trustRoot -k ${KEYCHAIN} ${caPath}`,
            'pf-enable': 'pfctl -E',
            'pf-main-ruleset': 'pfctl -f -',
            'pf-anchor': 'pfctl -a replaykit -f -',
          };
          // Undo lines need the CA's fingerprint: make the CA first with a start that fails at once.
          const probe = new ScriptedRunner(new Set([applyLine['keychain-trust'] as string]));
          await startTransparent({ ...o, runner: probe }).catch(() => {});
          const { apply, undo } = expectedCalls(caPath, sha1Of(caPath), 0);
          const failingUndos = undoFailures.map((s) => (undo[s] ?? [])[0] as string);
          const runner = new ScriptedRunner(
            new Set([applyLine[failAt] as string, ...failingUndos]),
          );
          const error = await startTransparent({ ...o, runner }).catch((e) => e);
          expect(error).toBeInstanceOf(TransparentStartError);
          const attempted = STEPS.slice(0, STEPS.indexOf(failAt) + 1);
          const undone = [...attempted]
            .reverse()
            .flatMap((s) => (s === 'pf-enable' && s === failAt ? [] : (undo[s] ?? [])));
          expect(runner.lines).toEqual([...attempted.flatMap((s) => apply[s] ?? []), ...undone]);
          const leftover = attempted.filter(
            (s) => undoFailures.includes(s) && !(s === 'pf-enable' && s === failAt),
          );
          expect(error.report.rollback.ok).toBe(leftover.length === 0);
          expect(listenersOf(o.stateDir)).toEqual([]);
          const retry = new ScriptedRunner();
          const stopped = await stopTransparent({ ...o, runner: retry });
          expect(stopped.ok).toBe(true);
          expect(retry.lines).toEqual([...leftover].reverse().flatMap((s) => undo[s] ?? []));
          expect((await transparentStatus(o)).state).toBe('stopped');
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});
