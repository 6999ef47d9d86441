import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { replaypack } from '../../support/cli.ts';

const demo = fileURLToPath(
  new URL('../../../cassettes/demo/openai-chat-stream.rpk', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'rk-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replaypack inspect', () => {
  test('--json on the bundled demo prints the summary with its step counts', async () => {
    const r = await replaypack(['inspect', demo, '--json']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      file: demo,
      valid: true,
      version: 1,
      capture: 'sdk',
      response_source: 'live',
      steps: 6,
      counts: {
        'model.request': 2,
        'model.response': 2,
        'tool.request': 1,
        'tool.response': 1,
        'error.event': 0,
        'agent.event': 0,
      },
      providers: ['openai'],
      models: ['gpt-4o-mini'],
      streams: { total: 1, completed: 1, interrupted: 0, error: 0 },
      sealed: true,
      warnings: [],
    });
    expect(summary.canonical_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the human summary is a compact table', async () => {
    const r = await replaypack(['inspect', demo]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`${demo}: valid\n`);
    expect(r.stdout).toContain(
      '  steps      6  (model.request 2, model.response 2, tool.request 1, tool.response 1)\n',
    );
    expect(r.stdout).toContain('  streams    1  (completed 1)\n');
    expect(r.stdout).toContain('  sealed     yes\n');
  });

  test('an invalid file exits 3 with the reader message and no stack trace', async () => {
    const bad = join(dir, 'bad.rpk');
    writeFileSync(bad, '{"type":"run.header","version":7}\n');
    const r = await replaypack(['inspect', bad]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `[replaykit] ${bad}:1: format version 7 is newer than this replaykit supports (1); upgrade replaykit`,
    );
  });

  test('with --json an invalid file still prints an object (valid: false) and exits 3', async () => {
    const bad = join(dir, 'types.rpk');
    writeFileSync(
      bad,
      `${JSON.stringify({ type: 'run.header', version: 1, run_id: 'r', capture: 'sdk', response_source: 'live', tool: { name: 'replaykit', version: '0' }, redaction: { policy: 'off' } })}\n{"type":"tool.request","index":"zero"}\n`,
    );
    const r = await replaypack(['inspect', bad, '--json']);
    expect(r.exitCode).toBe(3);
    const message = `[replaykit] ${bad}:2: step tool.request: field "index" expected number, got string`;
    expect(JSON.parse(r.stdout)).toEqual({ file: bad, valid: false, error: message });
    expect(r.stderr).toBe(message);
    expect(r.stderr).not.toContain('    at ');
  });

  test('a torn last line is valid with a warning (exit 0)', async () => {
    const torn = join(dir, 'torn.rpk');
    const text = (await import('node:fs')).readFileSync(demo, 'utf8').split('\n');
    // Drop the seal, keep 5 steps' lines, and cut the last of them short.
    writeFileSync(torn, `${text.slice(0, 15).join('\n')}\n${text[15]!.slice(0, 40)}`);
    const r = await replaypack(['inspect', torn, '--json']);
    expect(r.exitCode).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.sealed).toBe(false);
    expect(summary.steps).toBe(5);
    expect(summary.warnings).toEqual([
      `${torn}:16: torn last line (the writer stopped mid-write); skipped it and kept everything before it`,
    ]);
  });

  test('a missing file exits 4 and says which file', async () => {
    const missing = join(dir, 'missing.rpk');
    const r = await replaypack(['inspect', missing]);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain(
      `[replaykit] Failed to read cassette "${missing}": no such file or directory. Check the path`,
    );
  });

  test('no file argument is a usage error (exit 2)', async () => {
    const r = await replaypack(['inspect']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('Run "npx replaypack inspect --help" for usage.');
  });
});

const userEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')),
  );

describe('npx replaypack (the built bin, as a user runs it after npm install)', () => {
  test('`npx replaypack inspect cassettes/demo/openai-chat-stream.rpk --json` prints the step counts', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const { execa } = await import('execa');
    const r = await execa(
      'npx',
      ['--no-install', 'replaypack', 'inspect', 'cassettes/demo/openai-chat-stream.rpk', '--json'],
      // A fresh shell's environment: no npm_* variables inherited from the npm or npx that runs
      // this suite (an outer `npx -p node@22` would otherwise make this npx look for node@22).
      { cwd: root, reject: false, extendEnv: false, env: { ...userEnv(), NO_COLOR: '1' } },
    );
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(String(r.stdout))).toMatchObject({
      steps: 6,
      counts: { 'model.request': 2, 'model.response': 2, 'tool.request': 1, 'tool.response': 1 },
    });
  });
});
