/**
 * `doctor` reports what transparent mode needs and which clients will trust the CA, per agent,
 * and never changes the system: it creates no CA and runs only listing commands.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureCa } from '../../../src/transparent/ca.ts';
import {
  type Command,
  type CommandRunner,
  commandLine,
  transparentDoctor,
} from '../../../src/transparent/index.ts';

const dirs: string[] = [];
const home = () => {
  const d = mkdtempSync(join(tmpdir(), 'rk-doctor-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

class RecordingRunner implements CommandRunner {
  readonly calls: Command[] = [];
  async run(command: Command) {
    this.calls.push(command);
    return { code: 0, stdout: '', stderr: '' };
  }
}

const NAMES = [
  'platform',
  'binary',
  'privileges',
  'firewall-access',
  'ca',
  'ca-trusted-by-system',
  'client:node',
  'client:claude-code',
  'client:codex',
  'client:python-requests',
  'client:curl',
];

describe('transparent doctor', () => {
  it('reports every check with name, ok, detail and fix, and changes nothing', async () => {
    const stateDir = home();
    const runner = new RecordingRunner();
    const r = await transparentDoctor({ stateDir, runner, env: { PATH: process.env.PATH } });
    // firewall-access is asked of nft only as root (reading the ruleset needs it).
    const root = process.getuid?.() === 0;
    expect(r.checks.map((c) => c.name)).toEqual(
      root ? NAMES : NAMES.filter((n) => n !== 'firewall-access'),
    );
    for (const c of r.checks) {
      expect(c).toEqual({
        name: expect.any(String),
        ok: expect.any(Boolean),
        detail: expect.any(String),
        fix: expect.any(String),
      });
    }
    expect(r).toMatchObject({ ready: root, backend: 'nft', ca: null });
    expect(r.checks.find((c) => c.name === 'ca')).toMatchObject({ ok: false });
    // Read-only: no CA made, only a listing command run.
    expect(existsSync(join(stateDir, 'transparent'))).toBe(false);
    expect(runner.calls.map(commandLine)).toEqual(root ? ['nft list tables'] : []);
  });

  it('says per client which trust setting makes it trust the CA', async () => {
    const stateDir = home();
    const ca = ensureCa(join(stateDir, 'transparent'));
    const bundle = join(stateDir, 'bundle.pem');
    // A bundle holding public roots and ours, as the requests fix builds it.
    writeFileSync(bundle, `${readFileSync(ca.path, 'utf8')}\n`);
    const untrusted = await transparentDoctor({
      stateDir,
      runner: new RecordingRunner(),
      env: { PATH: process.env.PATH },
      systemBundle: join(stateDir, 'none.crt'),
    });
    const byName = (r: typeof untrusted) => Object.fromEntries(r.checks.map((c) => [c.name, c]));
    const before = byName(untrusted);
    for (const name of NAMES.filter((n) => n.startsWith('client:')))
      expect(before[name]?.ok, name).toBe(false);
    expect(before['client:node']?.fix).toContain(`NODE_EXTRA_CA_CERTS=${ca.path}`);
    expect(before['client:codex']?.fix).toContain(`CODEX_CA_CERTIFICATE=${ca.path}`);
    expect(before['client:python-requests']?.fix).toContain('REQUESTS_CA_BUNDLE');
    expect(before['ca-key-permissions']).toMatchObject({ ok: true });

    const trusted = byName(
      await transparentDoctor({
        stateDir,
        runner: new RecordingRunner(),
        env: {
          PATH: process.env.PATH,
          NODE_EXTRA_CA_CERTS: ca.path,
          CODEX_CA_CERTIFICATE: ca.path,
          REQUESTS_CA_BUNDLE: bundle,
          CURL_CA_BUNDLE: bundle,
        },
        systemBundle: join(stateDir, 'none.crt'),
      }),
    );
    for (const name of NAMES.filter((n) => n.startsWith('client:')))
      expect(trusted[name]?.ok, name).toBe(true);
  });

  it('on an unsupported platform, or without the pf binary, it is not ready', async () => {
    const win = await transparentDoctor({
      stateDir: home(),
      platform: 'win32',
      runner: new RecordingRunner(),
    });
    expect(win.ready).toBe(false);
    expect(win.checks[0]).toMatchObject({ name: 'platform', ok: false });
    const runner = new RecordingRunner();
    const pf = await transparentDoctor({
      stateDir: home(),
      backend: 'pf',
      runner,
      env: { PATH: '/nonexistent' },
    });
    expect(pf.checks.find((c) => c.name === 'binary')).toMatchObject({ ok: false });
    expect(pf.ready).toBe(false);
    expect(runner.calls).toEqual([]);
  });
});
