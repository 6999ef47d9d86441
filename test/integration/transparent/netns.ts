/**
 * A network namespace for transparent mode's Linux test: its own loopback, its own nftables
 * ruleset, and `/etc/netns/<ns>/hosts` (which `ip netns exec` mounts over /etc/hosts) sending
 * the provider hosts to an address inside it. Nothing in it can reach the outside network, so
 * whatever answers as api.openai.com there is the test's fake.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type Options } from 'execa';

export const PROVIDER_ADDRESS = '10.213.0.1';
export const PROVIDER_HOSTS = ['api.openai.com', 'api.anthropic.com'];

export interface Namespace {
  name: string;
  /** Runs a command inside the namespace; never throws (check exitCode). */
  exec(
    cmd: string,
    args: string[],
    options?: Options,
  ): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  ruleset(): Promise<string>;
  destroy(): Promise<void>;
}

export async function createNamespace(name: string): Promise<Namespace> {
  const ip = (args: string[]) => execa('ip', args, { reject: true });
  // Leftovers of an earlier run that died before its cleanup.
  await execa('ip', ['netns', 'del', name], { reject: false });
  // No try/skip: the issue wants this to FAIL where namespaces cannot be created.
  await ip(['netns', 'add', name]);
  const etc = join('/etc/netns', name);
  const ns: Namespace = {
    name,
    async exec(cmd, args, options = {}) {
      const r = await execa('ip', ['netns', 'exec', name, cmd, ...args], {
        reject: false,
        timeout: 120_000,
        ...options,
      });
      return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
    },
    async ruleset() {
      const r = await ns.exec('nft', ['list', 'ruleset']);
      if (r.exitCode !== 0) throw new Error(`nft list ruleset failed: ${r.stderr}`);
      return r.stdout;
    },
    async destroy() {
      const pids = await execa('ip', ['netns', 'pids', name], { reject: false });
      for (const pid of String(pids.stdout).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {}
      }
      await execa('ip', ['netns', 'del', name], { reject: false });
      rmSync(etc, { recursive: true, force: true });
    },
  };
  try {
    await ip(['-n', name, 'link', 'set', 'lo', 'up']);
    await ip(['-n', name, 'addr', 'add', `${PROVIDER_ADDRESS}/32`, 'dev', 'lo']);
    mkdirSync(etc, { recursive: true });
    const lines = ['127.0.0.1 localhost', ...PROVIDER_HOSTS.map((h) => `${PROVIDER_ADDRESS} ${h}`)];
    writeFileSync(join(etc, 'hosts'), `${lines.join('\n')}\n`);
  } catch (error) {
    await ns.destroy();
    throw error;
  }
  return ns;
}

/** Processes in the namespace whose command line is a transparent listener (zombies excluded). */
export async function listenerProcesses(ns: Namespace): Promise<number[]> {
  const { readFileSync } = await import('node:fs');
  const pids = await execa('ip', ['netns', 'pids', ns.name], { reject: false });
  return String(pids.stdout)
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') return false;
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('transparent\0serve');
      } catch {
        return false;
      }
    });
}
