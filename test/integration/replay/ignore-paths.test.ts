/**
 * `ignorePaths` works the same at every door that replays (issue 13, symptom 3): `record()`,
 * `expectReplayParity`, `replaypack assert` (and `diff`), and the listener's replay mode
 * (`listen start --mode replay --ignore-path`). A value that changes per run at an ignored path
 * never reads as a divergence; the same change without the option diverges at that path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectReplayParity, ReplayDivergenceError, record } from '../../../src/index.ts';
import { isPidAlive } from '../../../src/listener/status.ts';
import { replaypack } from '../../support/cli.ts';
import { startFakeUpstream } from '../../support/fake-upstream/index.ts';

const IGNORED = 'body.metadata.trace_id';
let dir: string;
let origin: string;
/** Recorded with trace ids run-1 and run-2: the same conversation, another per-run id. */
let first: string;
let second: string;

/** A trace id an app sets per run: not random-looking, so only `ignorePaths` can leave it out. */
const chat = (baseURL: string, trace: string) => async () => {
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL, maxRetries: 0 });
  const out = await openai.chat.completions.create({
    model: 'gpt-4.1',
    messages: [{ role: 'user', content: 'hi' }],
    metadata: { trace_id: trace },
  });
  return out.choices[0]?.message.content;
};

beforeAll(async () => {
  const up = await startFakeUpstream();
  origin = up.url;
  dir = mkdtempSync(path.join(tmpdir(), 'rk-ignore-'));
  first = path.join(dir, 'first.rpk');
  second = path.join(dir, 'second.rpk');
  await record({ cassette: first, mode: 'record' }, chat(`${origin}/v1`, 'run-1'));
  await record({ cassette: second, mode: 'record' }, chat(`${origin}/v1`, 'run-2'));
  await up.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const expectDivergenceAtIgnored = (error: unknown) => {
  expect(error).toBeInstanceOf(ReplayDivergenceError);
  expect((error as ReplayDivergenceError).details.difference).toMatchObject({
    path: IGNORED,
    expected: 'run-1',
    actual: 'run-2',
  });
};

describe('record() in replay mode', () => {
  test('leaves an ignored path out of matching; without it the change diverges there', async () => {
    const run = chat(`${origin}/v1`, 'run-2');
    const replayed = await record(
      { cassette: first, mode: 'replay', strict: true, ignorePaths: [IGNORED] },
      run,
    );
    expect(replayed.value).toBe('Hello from the fake upstream.');
    expectDivergenceAtIgnored(
      await record({ cassette: first, mode: 'replay' }, run).catch((e: unknown) => e),
    );
  });
});

describe('expectReplayParity', () => {
  test('with run: the ignored path is left out of the parity comparison too', async () => {
    const run = chat(`${origin}/v1`, 'run-2');
    await expect(expectReplayParity(first, run, { ignorePaths: [IGNORED] })).resolves.toMatchObject(
      { exchanges: 1 },
    );
    expectDivergenceAtIgnored(await expectReplayParity(first, run).catch((e: unknown) => e));
  });

  test('without run: takes the same options', async () => {
    await expect(
      expectReplayParity(first, undefined, { ignorePaths: [IGNORED] }),
    ).resolves.toMatchObject({ exchanges: 1 });
  });
});

describe('replaypack assert --golden and diff', () => {
  test('--ignore-path leaves the path out of the golden comparison', async () => {
    const plain = await replaypack(['assert', second, '--golden', first]);
    expect(plain.exitCode).toBe(1);
    expect(plain.stderr).toContain(`${IGNORED}: expected "run-1"`);
    const ignored = await replaypack([
      'assert',
      second,
      '--golden',
      first,
      '--ignore-path',
      IGNORED,
    ]);
    expect(ignored.stderr).toBe('');
    expect(ignored.exitCode).toBe(0);
    expect(ignored.stdout).toContain('parity ok');
    const diff = await replaypack(['diff', first, second, `--ignore-path=${IGNORED}`]);
    expect(diff.exitCode).toBe(0);
    expect((await replaypack(['diff', first, second])).exitCode).toBe(1);
  });
});

describe('listen start --mode replay --ignore-path', () => {
  let home: string;
  let pid: number | undefined;
  const run = (args: string[]) => replaypack(args, { env: { REPLAYKIT_HOME: home } });
  beforeAll(() => {
    home = mkdtempSync(path.join(tmpdir(), 'rk-ignore-listen-'));
  });
  afterAll(async () => {
    await run(['listen', 'stop']);
    if (pid !== undefined && isPidAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  const serve = async (extra: string[]) => {
    const r = await run([
      'listen',
      'start',
      '--port',
      '0',
      '--out',
      path.join(home, 'out'),
      '--mode',
      'replay',
      '--cassette',
      first,
      '--json',
      ...extra,
    ]);
    if (r.exitCode !== 0) throw new Error(r.stderr);
    const started = JSON.parse(r.stdout) as { url: string; pid: number };
    pid = started.pid;
    return started.url;
  };

  test('answers from the cassette across a changed trace id; without the flag, a divergence', async () => {
    const url = await serve(['--ignore-path', IGNORED]);
    expect(await chat(`${url}/v1`, 'run-2')()).toBe('Hello from the fake upstream.');
    await run(['listen', 'stop']);
    const strict = await serve([]);
    const error = await chat(`${strict}/v1`, 'run-2')().catch((e: unknown) => e);
    expect(String(error)).toContain(
      `First difference: ${IGNORED}: expected "run-1" but got "run-2"`,
    );
    await run(['listen', 'stop']);
  });

  test('--ignore-path outside replay mode is a usage error', async () => {
    const r = await run(['listen', 'start', '--port', '0', '--ignore-path', IGNORED]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--ignore-path only applies to --mode replay');
  });
});
