/**
 * Issue 22: the README is the npm package page, and its consumer path must work as written. A
 * fresh project installs the packed tarball, then follows the README's steps in order (the
 * blocks marked `docs-test: consumer`, see ./snippets.ts): writes its files, records against the
 * loopback fake upstream, replays with the upstream gone and no API key, and runs with CI=true.
 * Only the outside world is stood in for, through PATH:
 * - `npm install -D replaykit` installs the packed tarball (the registry's copy of it);
 * - `npx vitest` is the repository's Vitest (a project that uses the plugin has Vitest already);
 * - OPENAI_BASE_URL points the SDK at the fake upstream instead of api.openai.com.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { installedPackage, REPO } from '../integration/runners/package.ts';
import { type FakeUpstream, startFakeUpstream } from '../support/fake-upstream/index.ts';
import { consumerSteps } from './snippets.ts';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const steps = consumerSteps('README.md', readFileSync(README, 'utf8'));

const NPM = `#!/bin/sh
if [ "$*" = "install -D replaykit" ]; then
  exec "$REAL_NPM" install -D "$DOCS_TARBALL" --prefer-offline --no-audit --no-fund --loglevel=error
fi
exec "$REAL_NPM" "$@"
`;
const NPX = `#!/bin/sh
if [ "$1" = vitest ]; then shift; exec "$DOCS_NODE" "$DOCS_VITEST" "$@"; fi
echo "docs test: npx $1 is not available in the sandbox" >&2; exit 127
`;

let up: FakeUpstream;
let project: string;
let env: Record<string, string>;

beforeAll(async () => {
  up = await startFakeUpstream();
  const root = await installedPackage();
  const tarball = readdirSync(root).find((f) => f.endsWith('.tgz'))!;
  const sandbox = path.join(root, 'projects', `readme-consumer-${process.pid}-${Date.now()}`);
  project = path.join(sandbox, 'project');
  const bin = path.join(sandbox, 'bin');
  for (const d of [project, bin]) mkdirSync(d, { recursive: true });
  writeFileSync(
    path.join(project, 'package.json'),
    '{ "name": "consumer", "private": true, "type": "module" }\n',
  );
  for (const [name, text] of Object.entries({ npm: NPM, npx: NPX })) {
    writeFileSync(path.join(bin, name), text);
    chmodSync(path.join(bin, name), 0o755);
  }
  const realNpm = (await execa('sh', ['-c', 'command -v npm'])).stdout.trim();
  env = {
    PATH: [bin, path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter),
    HOME: process.env.HOME ?? sandbox,
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    REAL_NPM: realNpm,
    DOCS_TARBALL: path.join(root, tarball),
    DOCS_NODE: process.execPath,
    DOCS_VITEST: path.join(REPO, 'node_modules/vitest/vitest.mjs'),
    OPENAI_BASE_URL: `${up.url}/v1`,
    OPENAI_API_KEY: 'sk-test-FAKE-REAL-KEY-STAND-IN',
    NO_COLOR: '1',
  };
}, 300_000);
afterAll(async () => {
  await up?.close().catch(() => {});
});

describe.skipIf(process.platform === 'win32')('README: the consumer path as written', () => {
  test('the README has the steps: install, config, a test, record, replay, CI', () => {
    const runs = steps.filter((s) => s.kind === 'run').map((s) => s.code);
    expect(runs[0]).toBe('npm install -D replaykit');
    expect(steps.some((s) => s.kind === 'file' && s.name === 'vitest.config.ts')).toBe(true);
    expect(runs.some((c) => c.includes('CI=true'))).toBe(true);
  });

  let recorded = false;
  let closed = false;
  for (const step of steps) {
    const name =
      step.kind === 'file'
        ? `README.md:${step.line}: writes ${step.name}`
        : `README.md:${step.line}: ${step.code.split('\n')[0]}${step.offline ? ' (offline, no key)' : ''}`;
    test(name, async () => {
      if (step.kind === 'file') {
        writeFileSync(path.join(project, step.name), `${step.code}\n`);
        return;
      }
      let runEnv = env;
      if (step.offline) {
        // Replay must need neither the network nor a key: the upstream is gone, the key unset.
        if (!closed) await up.close();
        closed = true;
        const { OPENAI_API_KEY: _key, ...rest } = env;
        runEnv = rest;
      }
      const r = await execa('bash', ['-c', `set -euo pipefail\n${step.code}`], {
        cwd: project,
        env: runEnv,
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        timeout: 240_000,
      });
      const output = `${r.stdout}\n${r.stderr}`;
      expect(r.exitCode, `${name}\n--- output\n${output}`).toBe(0);
      if (step.code.startsWith('npm install')) {
        // The package came from the tarball, into the project itself.
        const pkg = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8'));
        expect(pkg.devDependencies.replaykit).toMatch(/\.tgz$/);
        expect(existsSync(path.join(project, 'node_modules/replaykit/dist/vitest.mjs'))).toBe(true);
      } else if (!recorded) {
        recorded = true;
        expect(output).toContain('1 passed');
        expect(output).toContain('[replaykit] cassettes: 1 used, 0 missing, 0 unused');
        expect(output).toContain('recorded cassettes/summarise.test.ts/summarises.rpk');
        expect(up.received.length).toBeGreaterThan(0);
      } else {
        expect(output).toContain('1 passed');
        expect(output).toContain('replayed cassettes/summarise.test.ts/summarises.rpk');
      }
    }, 300_000);
  }
});
