/**
 * Other languages through the listener (issue 22): Python's real `openai` client, installed in a
 * venv from the package index pip is configured with, records through `replaypack listen` and
 * replays offline, as docs/PASSIVE_LISTENER.md ("Python and other languages") says.
 *
 * Where there is no python3 the suite skips, and where the index cannot deliver `openai` it skips
 * LOUDLY with pip's own words (as test/support/test-packages.ts does for npm): any other pip
 * failure fails the run. The venv is kept between runs in the OS temp folder.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { replaypack } from '../../support/cli.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

const VENV = join(tmpdir(), 'replaykit-python-openai');
const PYTHON = join(VENV, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
const STAMP = join(VENV, '.replaykit-installed');
/** pip's words for an index it could not reach or that lacks the package. */
const REGISTRY_FAILURE =
  /Name or service not known|Temporary failure in name resolution|Failed to establish a new connection|Connection refused|Network is unreachable|No matching distribution found|Could not find a version that satisfies|ProxyError|SSLError|timed out/i;

const SCRIPT = `import sys
from openai import OpenAI

client = OpenAI()  # OPENAI_BASE_URL and OPENAI_API_KEY from the environment
chat = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
print("chat:", chat.choices[0].message.content)
stream = client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "stream"}], stream=True
)
print("stream:", "".join(c.choices[0].delta.content or "" for c in stream if c.choices))
resp = client.responses.create(model="gpt-5-mini", input="hello")
print("responses:", resp.output_text)
`;

async function pythonAvailable(): Promise<boolean> {
  const r = await execa('python3', ['--version'], { reject: false });
  return r.exitCode === 0;
}

/** '' when the venv has `openai`; else why it could not be installed from the index. */
async function ensureVenv(): Promise<string> {
  if (existsSync(STAMP)) return '';
  rmSync(VENV, { recursive: true, force: true });
  const venv = await execa('python3', ['-m', 'venv', VENV], { reject: false, all: true });
  if (venv.exitCode !== 0) throw new Error(`python3 -m venv failed:\n${venv.all}`);
  // No retries: an index that cannot be reached says so in seconds, not minutes.
  const pip = await execa(
    PYTHON,
    ['-m', 'pip', 'install', '--retries', '0', '--timeout', '15', '--quiet', 'openai'],
    { reject: false, all: true, stdin: 'ignore' },
  );
  const output = String(pip.all ?? '');
  if (pip.exitCode !== 0) {
    if (!REGISTRY_FAILURE.test(output)) {
      throw new Error(`pip install openai failed (exit ${pip.exitCode}):\n${output.slice(-2000)}`);
    }
    rmSync(VENV, { recursive: true, force: true });
    return output.trim().split('\n').slice(-3).join('\n');
  }
  writeFileSync(STAMP, 'openai\n');
  return '';
}

let skip = '';
let up: FakeUpstream;
let home: string;
let work: string;

beforeAll(async () => {
  if (!(await pythonAvailable())) {
    skip = 'python3 is not installed';
    return;
  }
  const why = await ensureVenv();
  if (why) {
    skip = `the package index could not deliver openai: ${why}`;
    process.stderr.write(
      `\n${'!'.repeat(78)}\n!! Python openai client through the listener will SKIP: ${skip}\n${'!'.repeat(78)}\n\n`,
    );
    return;
  }
  up = await startFakeUpstream();
  home = mkdtempSync(join(tmpdir(), 'rk-py-home-'));
  work = mkdtempSync(join(tmpdir(), 'rk-py-work-'));
  writeFileSync(join(work, 'app.py'), SCRIPT);
}, 600_000);

afterAll(async () => {
  if (skip) return;
  await replaypack(['listen', 'stop'], { env: { REPLAYKIT_HOME: home } });
  await up?.close().catch(() => {});
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

const cli = (args: string[]) => replaypack(args, { env: { REPLAYKIT_HOME: home }, cwd: work });

async function runApp(): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const lines = await cli(['listen', 'env', '--json']);
  const vars = (JSON.parse(lines.stdout) as { env: Record<string, string> }).env;
  const r = await execa(PYTHON, ['app.py'], {
    cwd: work,
    reject: false,
    env: { OPENAI_BASE_URL: vars.OPENAI_BASE_URL, OPENAI_API_KEY: 'sk-test-FAKE-python-key' },
    extendEnv: false,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('Python openai client through the listener', () => {
  test('records, then replays offline with the same answers', async (ctx) => {
    if (skip) {
      ctx.skip(skip);
      return;
    }
    const out = join(work, 'recordings');
    const start = await cli([
      'listen',
      'start',
      '--port',
      '0',
      '--out',
      out,
      '--upstream',
      `openai=${up.url}`,
    ]);
    expect(start.exitCode, start.stderr).toBe(0);
    const live = await runApp();
    expect(live.exitCode, live.stderr).toBe(0);
    expect(live.stdout).toContain('chat: ');
    expect(live.stdout).toContain('stream: ');
    expect(live.stdout).toContain('responses: ');
    expect(up.received.length).toBe(3);
    expect((await cli(['listen', 'stop'])).exitCode).toBe(0);

    const artifact = join(out, readdirSync(out).find((f) => f.endsWith('.rpk'))!);
    const inspect = await cli(['inspect', artifact, '--json']);
    const summary = JSON.parse(inspect.stdout) as {
      counts: Record<string, number>;
      streams: { completed: number };
    };
    expect(summary.counts['model.request']).toBe(3);
    expect(summary.streams.completed).toBe(1);

    await up.close();
    const replay = await cli([
      'listen',
      'start',
      '--port',
      '0',
      '--mode',
      'replay',
      '--cassette',
      artifact,
    ]);
    expect(replay.exitCode, replay.stderr).toBe(0);
    const again = await runApp();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toBe(live.stdout);
    expect((await cli(['listen', 'stop'])).exitCode).toBe(0);
  }, 600_000);
});
