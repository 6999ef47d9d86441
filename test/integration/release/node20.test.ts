/**
 * Node 20 (issue 22): the real Node 20 binary (`npx -p node@20`) against the packed package. The
 * CLI, `record()`, `replaykit/listener`, the Jest config line and the Jest setup file each stop
 * with one sentence saying what to do, instead of a crash deep in a dependency
 * (`TEXT_ENCODINGS.union is not a function`, `Promise.withResolvers is not a function`).
 */
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { fixtureProject, REPO } from '../runners/package.ts';

const MESSAGE =
  /\[replaykit\] replaykit needs Node\.js 22 or newer \(found 20\.\d+\.\d+\): install Node\.js 22 or 24 \(nvm install 22, or https:\/\/nodejs\.org\/en\/download\), or run this one command with it: npx -y -p node@22 -- node <your command>/;

let node20 = '';
let dir = '';
beforeAll(async () => {
  const found = await execa('npx', ['-y', '-p', 'node@20', '--', 'node', '-p', 'process.execPath']);
  node20 = found.stdout.trim();
  dir = await fixtureProject('node20', {
    'package.json': '{ "name": "node20", "private": true }\n',
    'jest.config.cjs': `const { withReplayKit } = require('replaykit/jest');
module.exports = withReplayKit({ testEnvironment: 'node', testMatch: ['<rootDir>/*.test.js'] }, { autoCassette: true });
`,
    'a.test.js': "test('runs', () => expect(1).toBe(1));\n",
    'setup-only.config.cjs': `module.exports = { testEnvironment: 'node', testMatch: ['<rootDir>/*.test.js'], setupFilesAfterEnv: ['replaykit/jest/setup'] };
`,
  });
}, 300_000);

const run = (args: string[]) =>
  execa(node20, args, { cwd: dir, reject: false, env: { NO_COLOR: '1', FORCE_COLOR: '0' } });

describe('on the real Node 20 binary', () => {
  test('the binary is Node 20', async () => {
    expect((await run(['--version'])).stdout).toMatch(/^v20\./);
  });

  test('replaypack --help exits 2 with the message', async () => {
    const cli = path.join(dir, 'node_modules/replaykit/dist/cli.mjs');
    for (const args of [['--help'], ['inspect', 'x.rpk'], []]) {
      const result = await run([cli, ...args]);
      expect(result.stderr).toMatch(MESSAGE);
      expect(result.stderr).not.toContain('This is a bug');
      expect(result.exitCode).toBe(2);
    }
  });

  test('record() throws a ReplayKitError with the message (ESM and CommonJS)', async () => {
    const esm = await run([
      '--input-type=module',
      '-e',
      "import { record } from 'replaykit'; try { await record({ cassette: 'x.rpk' }); } catch (e) { console.log(e.name, e.code, e.message); }",
    ]);
    expect(esm.stdout).toMatch(/^ReplayKitError E_NODE_VERSION /);
    expect(esm.stdout).toMatch(MESSAGE);
    const cjs = await run([
      '-e',
      "require('replaykit').record({ cassette: 'x.rpk' }).catch((e) => console.log(e.name, e.code, e.message));",
    ]);
    expect(cjs.stdout).toMatch(/^ReplayKitError E_NODE_VERSION /);
    expect(cjs.stdout).toMatch(MESSAGE);
  });

  test('importing replaykit/listener rejects with the message', async () => {
    const result = await run([
      '--input-type=module',
      '-e',
      "import('replaykit/listener').catch((e) => console.log(e.name, e.message));",
    ]);
    expect(result.stdout).toMatch(/^ReplayKitError /);
    expect(result.stdout).toMatch(MESSAGE);
  });

  test('Jest: withReplayKit in the config, and the setup file wired by hand, say it', async () => {
    const jest = path.join(REPO, 'node_modules/jest/bin/jest.js');
    const viaConfig = await run([jest, '--ci=false']);
    expect(viaConfig.stderr).toMatch(MESSAGE);
    expect(viaConfig.stderr).not.toContain('withResolvers');
    expect(viaConfig.exitCode).not.toBe(0);
    const viaSetup = await run([jest, '--ci=false', '--config', 'setup-only.config.cjs']);
    expect(viaSetup.stderr).toMatch(MESSAGE);
    expect(viaSetup.stderr).not.toContain('withResolvers');
    expect(viaSetup.exitCode).not.toBe(0);
  });
});
