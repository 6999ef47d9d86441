import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { replayCassette } from '../../../src/index.ts';
import { replaypack } from '../../support/cli.ts';
import { recordPassiveCassette, recordSdkCassette } from './fixtures.ts';

let dir: string;
let hash: string;
let passiveHash: string;

/** Edits one line of a cassette; `unseal` drops the seal so the reader accepts the edit. */
function tamper(from: string, to: string, edit: (line: string) => string, unseal: boolean) {
  const lines = readFileSync(path.join(dir, from), 'utf8').trimEnd().split('\n');
  const out = lines.filter((l) => !(unseal && l.includes('"run.seal"'))).map(edit);
  writeFileSync(path.join(dir, to), `${out.join('\n')}\n`);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rk-replay-cli-'));
  await recordSdkCassette(dir);
  await recordPassiveCassette(dir);
  hash = (await replayCassette(path.join(dir, 'sdk.rpk'))).replayed_hash;
  passiveHash = (await replayCassette(path.join(dir, 'passive.rpk'))).replayed_hash;
  // The tool's result changed: what a reviewer must see in a diff.
  tamper('sdk.rpk', 'edited.rpk', (l) => l.replace('"output":"11 °C"', '"output":"12 °C"'), true);
}, 60_000);

// execa strips the final newline of stdout and stderr.
const cli = (...args: string[]) => replaypack(args, { cwd: dir });

describe('replaypack replay', () => {
  test('prints the offline replay summary and exits 0', async () => {
    const r = await cli('replay', 'sdk.rpk');
    expect(r).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: [
        'sdk.rpk: replay matches the recording',
        '  exchanges  4 of 4 replayed offline',
        '  steps      10 compared  (model.request 4, model.response 4, tool.request 1, tool.response 1)',
        '  streams    3  (completed 3)',
        `  hash       ${hash}`,
      ].join('\n'),
    });
  });

  test('a passive WebSocket capture: agent events and capture faults are counted but not compared', async () => {
    const r = await cli('replay', 'passive.rpk');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      [
        'passive.rpk: replay matches the recording',
        '  exchanges  2 of 2 replayed offline',
        '  steps      6 compared, 2 not compared  (model.request 2, model.response 2, tool.request 1, tool.response 1, error.event 1, agent.event 1)',
        '  streams    2  (completed 2)',
        `  hash       ${passiveHash}`,
      ].join('\n'),
    );
  });

  test('--json has stable field names', async () => {
    const r = await cli('replay', 'sdk.rpk', '--json');
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual([
      'file',
      'exchanges',
      'served',
      'counts',
      'compared',
      'not_compared',
      'streams',
      'recorded_hash',
      'replayed_hash',
      'equal',
      'divergences',
    ]);
    expect(json).toMatchObject({
      file: 'sdk.rpk',
      equal: true,
      replayed_hash: hash,
      divergences: [],
    });
  });

  test('a sealed artifact edited after sealing is invalid input (exit 3)', async () => {
    tamper(
      'sdk.rpk',
      'sealed-edit.rpk',
      (l) => l.replace('"output":"11 °C"', '"output":"12 °C"'),
      false,
    );
    const r = await cli('replay', 'sealed-edit.rpk');
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^\[replaykit\] sealed-edit\.rpk:\d+: run\.seal integrity [0-9a-f]{12}\.\.\. does not match the steps \([0-9a-f]{12}\.\.\.\); the file was changed after it was sealed$/,
    );
  });

  test('a missing file is exit 4', async () => {
    const r = await cli('replay', 'nope.rpk');
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain('[replaykit] Failed to read cassette "nope.rpk"');
  });
});

describe('replaypack assert', () => {
  test('passes a cassette that replays to itself, twice, and equals its golden', async () => {
    const r = await cli('assert', 'sdk.rpk', '--golden', 'sdk.rpk');
    expect(r).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: [
        'sdk.rpk: parity ok',
        '  exchanges  4 of 4 replayed offline, twice, same hash',
        `  hash       ${hash}`,
        '  golden     sdk.rpk: same canonical steps',
      ].join('\n'),
    });
  });

  test('fails (exit 1) against a golden whose tool result differs, with the first divergence', async () => {
    const r = await cli('assert', 'edited.rpk', '--golden', 'sdk.rpk');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('edited.rpk: parity FAILED\n');
    expect(r.stdout).toContain('  golden     sdk.rpk: DIFFERS');
    expect(r.stderr).toBe(
      [
        '[replaykit] Replay divergence in sdk.rpk: exchange #1 (openai responses, POST /v1/responses) differs in its tool.response step.',
        '  First difference: output: expected "11 °C" but edited.rpk has "12 °C"',
        '  Diff (- recorded, + edited.rpk):',
        '    - output: "11 °C"',
        '    + output: "12 °C"',
      ].join('\n'),
    );
  });

  test('--json reports ok, determinism and the divergences', async () => {
    const r = await cli('assert', 'edited.rpk', '--golden', 'sdk.rpk', '--json');
    expect(r.exitCode).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual([
      'file',
      'ok',
      'exchanges',
      'served',
      'deterministic',
      'hash',
      'golden',
      'divergences',
    ]);
    expect(json).toMatchObject({
      ok: false,
      deterministic: true,
      golden: { file: 'sdk.rpk', equal: false },
      divergences: [{ kind: 'step', exchange: 1, step: 'tool.response' }],
    });
  });
});

describe('replaypack diff', () => {
  test('identical cassettes: exit 0 and every step marked the same, tool steps included', async () => {
    const r = await cli('diff', 'sdk.rpk', 'sdk.rpk');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n').slice(0, 8)).toEqual([
      'sdk.rpk and sdk.rpk: the same canonical steps',
      '',
      '  (= same, ~ changed, - only in sdk.rpk, + only in sdk.rpk)',
      '  exchange #0  openai responses',
      '    = model.request  POST /v1/responses gpt-5-mini (stream)',
      '    = model.response 200, sse completed, 9 events, calls get_weather',
      '    = tool.request   get_weather {"city":"Paris"}',
      '  exchange #1  openai responses',
    ]);
  });

  test('a changed tool result: the first divergence, then the per-step summary (exit 1)', async () => {
    const r = await cli('diff', 'sdk.rpk', 'edited.rpk');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(
      [
        '  exchange #1  openai responses',
        '    ~ tool.response  get_weather "11 °C"',
        '                     get_weather "12 °C"',
        '                     first change at output',
        '    ~ model.request  POST /v1/responses gpt-5-mini',
      ].join('\n'),
    );
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      'sdk.rpk and edited.rpk differ',
      '',
      'Replay divergence in sdk.rpk: exchange #1 (openai responses, POST /v1/responses) differs in its tool.response step.',
    ]);
  });

  test('--json: a, b, equal, first, exchanges with per-step status', async () => {
    const r = await cli('diff', 'sdk.rpk', 'edited.rpk', '--json');
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(['a', 'b', 'equal', 'first', 'exchanges']);
    expect(json.exchanges[1].steps[0]).toEqual({
      type: 'tool.response',
      status: 'changed',
      a: 'get_weather "11 °C"',
      b: 'get_weather "12 °C"',
      path: 'output',
    });
  });
});
