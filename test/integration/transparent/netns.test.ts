/**
 * Transparent mode on Linux, applied for real in a network namespace this file creates: real
 * nftables rules, the real listener process, real clients (the openai and anthropic SDKs, curl,
 * Python requests) that reach https://api.openai.com and https://api.anthropic.com with no
 * base-URL change. "The real host" is a TLS fake upstream on the address the namespace's hosts
 * file gives those names, so the listener's own forwarding goes through the same redirect rules
 * and must be exempt from them. If the namespace cannot be created, this file fails. On macOS and
 * Windows there are no network namespaces and no nftables: the file says so and runs nothing there;
 * pf-controller.test.ts covers the macOS controller on every platform.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY } from '../../support/cli.ts';
import {
  createNamespace,
  listenerProcesses,
  type Namespace,
  PROVIDER_ADDRESS,
  PROVIDER_HOSTS,
} from './netns.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const NODE = process.execPath;
// The real agents, installed by the e2e global setup (test/support/test-packages.ts).
const AGENT_BIN = fileURLToPath(new URL('../../agents/node_modules/.bin/', import.meta.url));
const HAVE_AGENTS = existsSync(join(AGENT_BIN, 'claude')) && existsSync(join(AGENT_BIN, 'codex'));
if (!HAVE_AGENTS)
  console.warn('[transparent] test/agents is not installed: the real-agent case is skipped');

// Linux only, by nature; on Linux a failure to create the namespace fails the file (no skip).
const LINUX = process.platform === 'linux';
if (!LINUX)
  console.warn(`[transparent] ${process.platform}: no network namespaces, no nftables E2E`);
const onLinux = LINUX ? describe : describe.skip;

let ns: Namespace;
let upstream: ResultPromise | undefined;
let work: string;
let upstreamCa: string;
const homes: string[] = [];

beforeAll(async () => {
  if (!LINUX) return;
  work = mkdtempSync(join(tmpdir(), 'rk-transparent-'));
  ns = await createNamespace(`rk-tp-${process.pid}`);
  // The fake "real" provider: HTTPS on the hosts' address, port 443, inside the namespace.
  upstream = execa('ip', ['netns', 'exec', ns.name, NODE, here('./fake-upstream-main.ts')], {
    env: { FAKE_TLS_DIR: work, FAKE_HOST: PROVIDER_ADDRESS, FAKE_PORT: '443', FAKE_WEBSOCKET: '1' },
    stdin: 'pipe',
    reject: false,
  });
  await new Promise<void>((resolve, reject) => {
    upstream?.stdout?.once('data', () => resolve());
    void upstream?.then((r) => reject(new Error(`fake upstream exited: ${r.stderr}`)));
  });
  upstreamCa = join(work, 'upstream-ca.pem');
}, 60_000);

afterAll(async () => {
  if (!LINUX) return;
  // Whatever happened above: stop every session, then remove the namespace and its files.
  for (const home of homes) await cli(home, ['stop', '--json']).catch(() => {});
  upstream?.stdin?.end();
  upstream?.kill('SIGKILL');
  await ns?.destroy();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

function newHome(): string {
  const home = mkdtempSync(join(work, 'home-'));
  homes.push(home);
  return home;
}

/** `replaypack listen transparent ...` inside the namespace, as root. */
async function cli(home: string, args: string[]) {
  const r = await ns.exec(NODE, [CLI_ENTRY, 'listen', 'transparent', ...args], {
    env: {
      REPLAYKIT_HOME: home,
      // The listener trusts the fake provider's CA, as it trusts the real one's in production.
      NODE_EXTRA_CA_CERTS: upstreamCa,
      NO_COLOR: '1',
    },
    cwd: home,
  });
  // biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON, read field by field below.
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(r.stdout);
  } catch {}
  return { ...r, json };
}

const start = (home: string) =>
  cli(home, ['start', '--json', '--hosts', PROVIDER_HOSTS.join(','), '--out', join(home, 'out')]);

// Each case starts real processes (CLI, listener, clients): generous on a loaded machine.
onLinux('transparent mode in a Linux network namespace (nftables)', { timeout: 240_000 }, () => {
  it('captures unmodified clients reaching api.openai.com and api.anthropic.com, replays offline, and restores the ruleset', async () => {
    const home = newHome();
    const before = await ns.ruleset();
    const started = await start(home);
    expect(started.exitCode, started.stderr).toBe(0);
    expect(started.json).toMatchObject({
      state: 'running',
      backend: 'nft',
      addresses: [PROVIDER_ADDRESS],
    });
    const ca = started.json.ca.path as string;
    expect(await ns.ruleset()).toContain(
      `ip daddr ${PROVIDER_ADDRESS} tcp dport 443 redirect to :`,
    );

    // The SDKs with their default base URLs; trust through NODE_EXTRA_CA_CERTS only.
    const sdk = await ns.exec(NODE, [here('./sdk-client.ts')], {
      env: { NODE_EXTRA_CA_CERTS: ca },
    });
    expect(sdk.exitCode, sdk.stderr).toBe(0);
    expect(JSON.parse(sdk.stdout)).toEqual({
      openaiStream: 'Hello from the fake upstream.',
      openaiChat: 'Hello from the fake upstream.',
      anthropic: 'Hello from the fake upstream.',
    });
    // curl trusting the CA through its normal setting.
    const curl = await ns.exec('curl', [
      '-sS',
      '--fail',
      '--cacert',
      ca,
      'https://api.anthropic.com/v1/messages',
      '-H',
      'x-api-key: sk-ant-test-CURLSECRET0003',
      '-H',
      'anthropic-version: 2023-06-01',
      '-H',
      'content-type: application/json',
      '-d',
      '{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"curl"}]}',
    ]);
    expect(curl.exitCode, curl.stderr).toBe(0);
    expect(JSON.parse(curl.stdout).content[0].text).toBe('Hello from the fake upstream.');
    // Python requests trusting it through REQUESTS_CA_BUNDLE (where Python and requests exist).
    const python = (await ns.exec('python3', ['-c', 'import requests'])).exitCode === 0;
    if (python) {
      const py = await ns.exec(
        'python3',
        [
          '-c',
          "import requests; r = requests.post('https://api.openai.com/v1/chat/completions', headers={'authorization': 'Bearer sk-test-PYTHONSECRET00001'}, json={'model': 'gpt-4o', 'messages': [{'role': 'user', 'content': 'py'}]}); print(r.json()['choices'][0]['message']['content'])",
        ],
        { env: { REQUESTS_CA_BUNDLE: ca } },
      );
      expect(py.exitCode, py.stderr).toBe(0);
      expect(py.stdout.trim()).toBe('Hello from the fake upstream.');
    } else console.warn('[transparent] python3 with requests not found: that client is not run');
    // Without the CA, a client refuses the listener's certificate: nothing is captured silently.
    const untrusted = await ns.exec('curl', ['-sS', 'https://api.openai.com/v1/models']);
    expect(untrusted.exitCode).not.toBe(0);

    const status = await cli(home, ['status', '--json']);
    expect(status.json).toMatchObject({ state: 'running', backend: 'nft', hosts: PROVIDER_HOSTS });
    expect(status.json.counts.requests).toBe(python ? 5 : 4);

    const stopped = await cli(home, ['stop', '--json']);
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect(stopped.json).toMatchObject({ state: 'stopped', was: 'running', ok: true });
    expect(await ns.ruleset()).toBe(before);
    expect(await listenerProcesses(ns)).toEqual([]);

    const artifact = stopped.json.artifacts[0] as string;
    const text = readFileSync(artifact, 'utf8');
    const header = JSON.parse(text.split('\n')[0] as string);
    expect(header).toMatchObject({ type: 'run.header', capture: 'transparent' });
    const requests = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((s) => s.type === 'model.request');
    expect(requests.map((s) => `${s.provider} ${s.endpoint}`)).toEqual([
      'openai responses',
      'openai chat.completions',
      'anthropic messages',
      'anthropic messages',
      ...(python ? ['openai chat.completions'] : []),
    ]);
    // Redacted as in passive mode: no key in the artifact, nor in the listener's log.
    expect(text).not.toMatch(/TRANSPARENTSECRET|CURLSECRET|PYTHONSECRET/);
    const log = readFileSync(join(home, 'transparent', 'listener', 'listener.log'), 'utf8');
    expect(log).not.toMatch(/TRANSPARENTSECRET|CURLSECRET|PYTHONSECRET|PRIVATE KEY/);

    // Offline replay, inside the namespace (no listener, no rules: nothing to reach).
    const replay = await ns.exec(NODE, [CLI_ENTRY, 'assert', artifact, '--json']);
    expect(replay.exitCode, replay.stderr).toBe(0);
    const exchanges = python ? 5 : 4;
    expect(JSON.parse(replay.stdout)).toMatchObject({ ok: true, exchanges, served: exchanges });
  });

  it.skipIf(!HAVE_AGENTS)(
    'real agents with no base-URL setting: Claude Code (NODE_EXTRA_CA_CERTS) and Codex (CODEX_CA_CERTIFICATE, over its WebSocket) are captured and replay offline',
    async () => {
      const home = newHome();
      const started = await start(home);
      expect(started.exitCode, started.stderr).toBe(0);
      const ca = started.json.ca.path as string;
      const agentHome = join(home, 'agent-home');
      mkdirSync(agentHome);
      // Only what a user would set: a key and the CA, through each agent's own trust setting.
      const base = { PATH: '/usr/bin:/bin', HOME: agentHome };
      const claude = await ns.exec(
        join(AGENT_BIN, 'claude'),
        ['-p', 'say hi', '--output-format', 'json'],
        {
          extendEnv: false,
          env: {
            ...base,
            NODE_EXTRA_CA_CERTS: ca,
            ANTHROPIC_API_KEY: 'sk-ant-test-CLAUDECODESECRET01',
            CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          },
          cwd: agentHome,
          stdin: 'ignore',
        },
      );
      expect(claude.exitCode, claude.stderr).toBe(0);
      expect(JSON.parse(claude.stdout).result).toBe('Hello from the fake upstream.');
      const codex = await ns.exec(
        NODE,
        [
          realpathSync(join(AGENT_BIN, 'codex')),
          'exec',
          '--skip-git-repo-check',
          '--json',
          'say hi',
        ],
        {
          extendEnv: false,
          env: {
            ...base,
            CODEX_HOME: agentHome,
            CODEX_CA_CERTIFICATE: ca,
            OPENAI_API_KEY: 'sk-test-CODEXSECRET0000000001',
          },
          cwd: agentHome,
          stdin: 'ignore',
        },
      );
      expect(codex.exitCode, codex.stderr).toBe(0);
      expect(codex.stdout).toContain('"text":"Hello from the fake upstream."');

      const stopped = await cli(home, ['stop', '--json']);
      expect(stopped.json.ok).toBe(true);
      const artifact = stopped.json.artifacts[0] as string;
      const text = readFileSync(artifact, 'utf8');
      const requests = text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((st) => st.type === 'model.request');
      expect(requests.some((r) => r.provider === 'anthropic' && r.endpoint === 'messages')).toBe(
        true,
      );
      expect(requests.some((r) => r.provider === 'openai' && r.transport === 'websocket')).toBe(
        true,
      );
      expect(text).not.toMatch(/CLAUDECODESECRET|CODEXSECRET/);
      const replay = await ns.exec(NODE, [CLI_ENTRY, 'assert', artifact, '--json']);
      expect(replay.exitCode, replay.stderr).toBe(0);
      expect(JSON.parse(replay.stdout)).toMatchObject({ ok: true });
    },
    240_000,
  );

  it('records the same request steps, redacted the same way, as the passive listener does for the same client', async () => {
    const requestsOf = (file: string) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .filter((st) => st.type === 'model.request')
        .map(({ provider, endpoint, method, url, transport, stream, model, headers, body }) => ({
          provider,
          endpoint,
          method,
          url,
          transport,
          stream,
          model,
          headers,
          body,
        }));
    // Transparent: no base URL.
    const home = newHome();
    const started = await start(home);
    const sdk = await ns.exec(NODE, [here('./sdk-client.ts')], {
      env: { NODE_EXTRA_CA_CERTS: started.json.ca.path },
    });
    expect(sdk.exitCode, sdk.stderr).toBe(0);
    const transparent = (await cli(home, ['stop', '--json'])).json.artifacts[0] as string;
    // Passive: the same program, routed by base URL to a listener forwarding to the same hosts.
    const passiveHome = newHome();
    const env = { REPLAYKIT_HOME: passiveHome, NODE_EXTRA_CA_CERTS: upstreamCa };
    const passiveStart = await ns.exec(
      NODE,
      [CLI_ENTRY, 'listen', 'start', '--port', '0', '--json', '--out', join(passiveHome, 'out')],
      { env, cwd: passiveHome },
    );
    expect(passiveStart.exitCode, passiveStart.stderr).toBe(0);
    const url = JSON.parse(passiveStart.stdout).url as string;
    const routed = await ns.exec(NODE, [here('./sdk-client.ts')], {
      env: { OPENAI_BASE_URL: `${url}/v1`, ANTHROPIC_BASE_URL: url },
    });
    const passiveStop = await ns.exec(NODE, [CLI_ENTRY, 'listen', 'stop', '--json'], { env });
    expect(routed.exitCode, routed.stderr).toBe(0);
    const passive = JSON.parse(passiveStop.stdout).artifacts[0] as string;
    expect(JSON.parse(readFileSync(passive, 'utf8').split('\n')[0] as string).capture).toBe(
      'passive',
    );
    expect(requestsOf(transparent)).toEqual(requestsOf(passive));
    expect(requestsOf(transparent)).toHaveLength(3);
    // The comparison covers the credentials: present in both, redacted in both, the same way.
    const headers = requestsOf(transparent).map((r) => r.headers);
    expect(headers.map((h) => h.authorization ?? h['x-api-key'])).toEqual([
      expect.stringMatching(/^Bearer (?!sk-test-TRANSPARENT)/),
      expect.stringMatching(/^Bearer (?!sk-test-TRANSPARENT)/),
      expect.stringMatching(/^(?!.*TRANSPARENTSECRET).+$/),
    ]);
  });

  it('start is idempotent: a second start changes nothing', async () => {
    const home = newHome();
    const before = await ns.ruleset();
    const first = await start(home);
    expect(first.json.state).toBe('running');
    const applied = await ns.ruleset();
    const second = await start(home);
    expect(second.json).toMatchObject({ state: 'running', already_running: true, steps: [] });
    expect(second.json.pid).toBe(first.json.pid);
    expect(await ns.ruleset()).toBe(applied);
    expect((await cli(home, ['stop', '--json'])).json.ok).toBe(true);
    expect(await ns.ruleset()).toBe(before);
  });

  it('after kill -9 of the listener, status says stale and stop removes every rule', async () => {
    const home = newHome();
    const before = await ns.ruleset();
    const started = await start(home);
    const pid = started.json.pid as number;
    process.kill(pid, 'SIGKILL');
    const status = await cli(home, ['status', '--json']);
    expect(status.json).toMatchObject({
      state: 'stale',
      rollback: [{ step: 'nft-table' }, { step: 'listener' }],
    });
    expect(await ns.ruleset()).toContain('table ip replaykit');
    const stopped = await cli(home, ['stop', '--json']);
    expect(stopped.json).toMatchObject({ was: 'stale', ok: true });
    expect(stopped.json.steps).toEqual([
      expect.objectContaining({
        step: 'nft-table',
        command: 'nft delete table ip replaykit',
        ok: true,
      }),
      expect.objectContaining({ step: 'listener', ok: true }),
    ]);
    expect(await ns.ruleset()).toBe(before);
    expect((await cli(home, ['status', '--json'])).json.state).toBe('stopped');
  });

  it('after kill -9, the next start reverts the stale session first', async () => {
    const home = newHome();
    const before = await ns.ruleset();
    const first = await start(home);
    process.kill(first.json.pid as number, 'SIGKILL');
    const second = await start(home);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.json).toMatchObject({ state: 'running', recovered: { was: 'stale', ok: true } });
    expect(second.json.pid).not.toBe(first.json.pid);
    // Exactly one table: the stale one went before the new one came.
    expect((await ns.ruleset()).match(/table ip replaykit/g)).toHaveLength(1);
    expect((await cli(home, ['stop', '--json'])).json.ok).toBe(true);
    expect(await ns.ruleset()).toBe(before);
    expect(await listenerProcesses(ns)).toEqual([]);
  });

  it('refuses to start over a replaykit table that no journal describes, and changes nothing', async () => {
    const home = newHome();
    const before = await ns.ruleset();
    expect((await ns.exec('nft', ['add', 'table', 'ip', 'replaykit'])).exitCode).toBe(0);
    try {
      const withTable = await ns.ruleset();
      const refused = await start(home);
      expect(refused.exitCode).toBe(4);
      expect(refused.stderr).toContain('nft delete table ip replaykit');
      expect(refused.json).toMatchObject({ ok: false, steps: [] });
      expect(await ns.ruleset()).toBe(withTable);
      expect(await listenerProcesses(ns)).toEqual([]);
      expect((await cli(home, ['status', '--json'])).json.state).toBe('stopped');
    } finally {
      await ns.exec('nft', ['delete', 'table', 'ip', 'replaykit']);
    }
    expect(await ns.ruleset()).toBe(before);
  });

  it('50 start/stop cycles leave no rule, no process and no journal behind', async () => {
    const home = newHome();
    const before = await ns.ruleset();
    const run = await ns.exec(NODE, [here('./cycles-main.ts'), '50'], {
      env: { REPLAYKIT_HOME: home, NODE_EXTRA_CA_CERTS: upstreamCa },
      cwd: home,
      timeout: 600_000,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { cycles: number; running: number; stopped: number };
    expect(result).toEqual({ cycles: 50, running: 50, stopped: 50 });
    expect(await ns.ruleset()).toBe(before);
    expect(await listenerProcesses(ns)).toEqual([]);
    expect((await cli(home, ['status', '--json'])).json).toMatchObject({
      state: 'stopped',
      rollback: [],
    });
  }, 600_000);
});
