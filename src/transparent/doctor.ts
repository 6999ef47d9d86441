/**
 * `listen transparent doctor`: read-only checks of what transparent mode needs and of which
 * clients will trust its CA. It never changes the system: it reads files and the environment and
 * runs only listing commands (`nft list tables`, `security verify-cert`).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { cliName } from '../cli-name.ts';
import { readCa } from './ca.ts';
import { defaultBackend } from './controller.ts';
import type { Backend } from './journal.ts';
import { transparentPaths } from './paths.ts';
import { type CommandRunner, systemRunner } from './runner.ts';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when `ok` is false (also given when it is true, for reference). */
  fix: string;
}

export interface DoctorResult {
  /** Start can run here: platform, binary, privileges (client trust is advice, not a blocker). */
  ready: boolean;
  backend: Backend;
  ca: { path: string; sha256: string } | null;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  stateDir?: string;
  backend?: Backend;
  runner?: CommandRunner;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Linux: the system CA bundle that OpenSSL-based clients read. */
  systemBundle?: string;
}

/** The checks that decide `ready`; the client checks only inform. */
const BLOCKING = new Set(['platform', 'binary', 'privileges', 'firewall-access']);

export async function transparentDoctor(options: DoctorOptions = {}): Promise<DoctorResult> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const backend = options.backend ?? defaultBackend(platform);
  const runner = options.runner ?? systemRunner;
  const paths = transparentPaths(options.stateDir);
  const ca = readCa(paths.dir);
  const checks: DoctorCheck[] = [];
  const add = (check: DoctorCheck) => checks.push(check);

  const supported = platform === 'darwin' || platform === 'linux';
  add({
    name: 'platform',
    ok: supported,
    detail: `${platform}: ${supported ? `backend ${backend}` : 'transparent mode supports macOS (pf) and Linux (nftables) only'}`,
    fix: supported
      ? 'none needed'
      : `Use the passive listener: eval "$(${cliName()} listen env)" routes SDKs by base URL.`,
  });
  const binary = backend === 'pf' ? 'pfctl' : 'nft';
  const found = findBinary(binary, env);
  add({
    name: 'binary',
    ok: found !== null,
    detail: found ? `${binary} at ${found}` : `${binary} not found on PATH or in /usr/sbin, /sbin`,
    fix:
      backend === 'pf'
        ? 'pfctl ships with macOS in /sbin; make sure /sbin is on PATH.'
        : 'Install nftables: sudo apt-get install nftables (Debian/Ubuntu) or sudo dnf install nftables.',
  });
  const root = process.getuid?.() === 0;
  add({
    name: 'privileges',
    ok: root,
    detail: root
      ? 'running as root'
      : `running as uid ${process.getuid?.() ?? '?'}: changing ${backend === 'pf' ? 'pf rules' : 'nftables rules'} needs root`,
    fix: `Run start and stop with sudo: sudo ${cliName()} listen transparent start.`,
  });
  if (backend === 'nft' && root && found) {
    const listed = await runner.run({ cmd: 'nft', args: ['list', 'tables'] });
    add({
      name: 'firewall-access',
      ok: listed.code === 0,
      detail:
        listed.code === 0
          ? 'nft can read the ruleset'
          : `nft list tables failed: ${listed.stderr.trim().slice(0, 200)}`,
      fix: 'Load the nf_tables kernel module (modprobe nf_tables) or run where netfilter is available (not all containers allow it).',
    });
  }
  add(
    ca
      ? { name: 'ca', ok: true, detail: `${ca.path} (sha256 ${ca.sha256})`, fix: 'none needed' }
      : {
          name: 'ca',
          ok: false,
          detail: `no CA yet in ${paths.dir}`,
          fix: `Start creates it on first use: sudo ${cliName()} listen transparent start.`,
        },
  );
  if (ca) {
    const mode = statSync(ca.key_path).mode & 0o777;
    add({
      name: 'ca-key-permissions',
      ok: mode === 0o600,
      detail: `${ca.key_path} has mode ${mode.toString(8).padStart(4, '0')}`,
      fix: `chmod 600 ${ca.key_path}`,
    });
  }
  const systemTrust = ca ? await trustedBySystem(ca, backend, runner, options.systemBundle) : false;
  add({
    name: 'ca-trusted-by-system',
    ok: systemTrust,
    detail: !ca
      ? 'no CA yet'
      : systemTrust
        ? 'the system trust store trusts the CA'
        : backend === 'pf'
          ? 'the login keychain does not trust the CA yet (start adds it, stop removes it)'
          : 'the system CA bundle does not hold the CA (start does not install it on Linux)',
    fix:
      backend === 'pf'
        ? `sudo ${cliName()} listen transparent start trusts it in the login keychain.`
        : `sudo cp ${ca?.path ?? '<ca.pem>'} /usr/local/share/ca-certificates/replaykit.crt && sudo update-ca-certificates (remove it and rerun update-ca-certificates afterwards), or give each client the CA file as below.`,
  });
  for (const check of clientChecks(ca?.path ?? null, systemTrust, env)) add(check);
  return {
    ready: checks.filter((c) => BLOCKING.has(c.name)).every((c) => c.ok),
    backend,
    ca: ca ? { path: ca.path, sha256: ca.sha256 } : null,
    checks,
  };
}

function clientChecks(
  caPath: string | null,
  systemTrust: boolean,
  env: NodeJS.ProcessEnv,
): DoctorCheck[] {
  const ca = caPath ?? '<ca.pem>';
  const holds = (name: string) => {
    const value = env[name];
    return Boolean(value && caPath && bundleHolds(value, caPath));
  };
  const nodeExtra = holds('NODE_EXTRA_CA_CERTS');
  const systemCa = /--use-system-ca/.test(env.NODE_OPTIONS ?? '') && systemTrust;
  const sslCertFile = holds('SSL_CERT_FILE');
  return [
    {
      name: 'client:node',
      ok: nodeExtra || systemCa,
      detail: nodeExtra
        ? 'NODE_EXTRA_CA_CERTS names the CA'
        : systemCa
          ? 'NODE_OPTIONS has --use-system-ca and the system trusts the CA'
          : 'Node uses its bundled roots: it trusts the CA only through NODE_EXTRA_CA_CERTS or --use-system-ca',
      fix: `export NODE_EXTRA_CA_CERTS=${ca}  (or NODE_OPTIONS=--use-system-ca once the system trusts it; Node 22.15+/23.8+)`,
    },
    {
      name: 'client:claude-code',
      ok: nodeExtra,
      detail: nodeExtra
        ? 'NODE_EXTRA_CA_CERTS names the CA'
        : 'Claude Code reads extra CAs from NODE_EXTRA_CA_CERTS only',
      fix: `export NODE_EXTRA_CA_CERTS=${ca}`,
    },
    {
      name: 'client:codex',
      ok: holds('CODEX_CA_CERTIFICATE') || sslCertFile || systemTrust,
      detail:
        holds('CODEX_CA_CERTIFICATE') || sslCertFile
          ? 'CODEX_CA_CERTIFICATE or SSL_CERT_FILE names the CA'
          : systemTrust
            ? 'Codex (rustls with the platform roots) trusts the system store'
            : 'Codex (Rust, rustls) trusts the platform roots plus CODEX_CA_CERTIFICATE / SSL_CERT_FILE; neither holds the CA',
      fix: `export CODEX_CA_CERTIFICATE=${ca}  (Rust clients built on rustls with bundled webpki roots ignore every trust setting: they cannot be captured)`,
    },
    {
      name: 'client:python-requests',
      ok: holds('REQUESTS_CA_BUNDLE') || holds('CURL_CA_BUNDLE'),
      detail:
        holds('REQUESTS_CA_BUNDLE') || holds('CURL_CA_BUNDLE')
          ? 'REQUESTS_CA_BUNDLE names a bundle holding the CA'
          : 'requests verifies against certifi, not the system store',
      fix: `cat "$(python3 -m certifi)" ${ca} > ~/.replaykit/requests-bundle.pem && export REQUESTS_CA_BUNDLE=~/.replaykit/requests-bundle.pem`,
    },
    {
      name: 'client:curl',
      ok: systemTrust || holds('CURL_CA_BUNDLE') || sslCertFile,
      detail: systemTrust
        ? 'curl reads the system trust store, which trusts the CA'
        : holds('CURL_CA_BUNDLE') || sslCertFile
          ? 'CURL_CA_BUNDLE or SSL_CERT_FILE names the CA'
          : 'curl trusts the system store or CURL_CA_BUNDLE / --cacert; neither holds the CA',
      fix: `curl --cacert ${ca} ...  or export CURL_CA_BUNDLE=${ca}`,
    },
  ];
}

/** Whether a PEM bundle file holds the same certificate as `caPath`. */
function bundleHolds(bundle: string, caPath: string): boolean {
  try {
    const want = new X509Certificate(readFileSync(caPath)).fingerprint256;
    return pemBlocks(readFileSync(bundle, 'utf8')).some((pem) => {
      try {
        return new X509Certificate(pem).fingerprint256 === want;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

async function trustedBySystem(
  ca: { path: string },
  backend: Backend,
  runner: CommandRunner,
  systemBundle = '/etc/ssl/certs/ca-certificates.crt',
): Promise<boolean> {
  if (backend === 'pf') {
    const verified = await runner.run({
      cmd: 'security',
      args: ['verify-cert', '-c', ca.path],
    });
    return verified.code === 0;
  }
  return existsSync(systemBundle) && bundleHolds(systemBundle, ca.path);
}

function findBinary(name: string, env: NodeJS.ProcessEnv): string | null {
  const dirs = [...(env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
