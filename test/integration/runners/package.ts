/**
 * The packed `replaykit` tarball installed into a fixture base, as a user would install it, built
 * once per source state and shared by every runner test (and by later runs while the sources are
 * unchanged): the key is a hash of package.json, tsdown.config.ts, src/ and integrations/.
 *
 * Layout (all under the OS temp folder):
 *   <key>/node_modules -> <repo>/node_modules   runners, SDKs and msw, found by walking up
 *   <key>/base/node_modules/replaykit           from `npm install <tarball>`, with its own deps
 *   <key>/projects/<name>/                      one fixture project per test, node_modules linked
 *
 * Builds go to a temporary copy of the repository, never to the shared dist/.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCES = ['package.json', 'tsdown.config.ts', 'src', 'integrations'];

function sourceKey(): string {
  const hash = createHash('sha256');
  const walk = (rel: string) => {
    const abs = path.join(REPO, rel);
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) walk(path.join(rel, name));
    } else {
      hash.update(rel).update(readFileSync(abs));
    }
  };
  for (const s of SOURCES) walk(s);
  return hash.digest('hex').slice(0, 16);
}

const npm = (args: string[], cwd: string) =>
  execa('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    env: { npm_config_update_notifier: 'false' },
  });

async function build(root: string): Promise<void> {
  const copy = path.join(root, 'pkg');
  mkdirSync(copy, { recursive: true });
  for (const item of [...SOURCES, 'tsconfig.json', 'README.md', 'docs', 'LICENSE']) {
    if (existsSync(path.join(REPO, item))) {
      cpSync(path.join(REPO, item), path.join(copy, item), { recursive: true });
    }
  }
  symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'), 'junction');
  await execa(process.execPath, [path.join(REPO, 'node_modules/tsdown/dist/run.mjs')], {
    cwd: copy,
  });
  // The published shape, checked on exactly what is packed (kept for publint.test.ts).
  const lint = await execa(process.execPath, [path.join(REPO, 'node_modules/publint/src/cli.js')], {
    cwd: copy,
    reject: false,
  });
  writeFileSync(
    path.join(root, 'publint.txt'),
    `exit ${lint.exitCode}\n${lint.stdout}${lint.stderr}`,
  );
  await npm(['pack', '--pack-destination', root], copy);
  const tarball = readdirSync(root).find((f) => f.endsWith('.tgz'))!;
  const base = path.join(root, 'base');
  mkdirSync(base);
  writeFileSync(path.join(base, 'package.json'), '{ "name": "base", "private": true }\n');
  await npm(['install', '--prefer-offline', '--no-package-lock', path.join(root, tarball)], base);
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'junction');
  rmSync(copy, { recursive: true, force: true });
}

/** Builds (or waits for another worker building) the installed package; returns its root. */
export async function installedPackage(): Promise<string> {
  const root = path.join(tmpdir(), `replaykit-runners-${sourceKey()}`);
  const ready = path.join(root, 'ready');
  const lock = `${root}.lock`;
  for (;;) {
    if (existsSync(ready)) return root;
    try {
      mkdirSync(lock);
    } catch {
      // Another worker builds: wait, unless its lock is stale (a crashed run).
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 300_000) {
        rmSync(lock, { recursive: true, force: true });
      }
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      rmSync(root, { recursive: true, force: true });
      await build(root);
      writeFileSync(ready, new Date().toISOString());
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** A fresh fixture project with the given files, its node_modules linked to the base install. */
export async function fixtureProject(name: string, files: Record<string, string>): Promise<string> {
  const root = await installedPackage();
  const dir = path.join(root, 'projects', `${name}-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  symlinkSync(path.join(root, 'base', 'node_modules'), path.join(dir, 'node_modules'), 'junction');
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}
