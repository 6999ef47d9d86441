import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { beforeAll, describe, expect, test } from 'vitest';
import { expectReplayParity, ReplayDivergenceError, replayCassette } from '../../../src/index.ts';
import { displayPath } from '../../../src/replay/parity.ts';
import { recordPassiveCassette, recordSdkCassette, sdkConversation } from './fixtures.ts';

let dir: string;
let sdk: { file: string; origin: string };
let passive: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rk-parity-'));
  sdk = await recordSdkCassette(dir);
  passive = await recordPassiveCassette(dir);
});

const rel = displayPath;

describe('expectReplayParity without run: offline self-replay', () => {
  test('an SDK recording (streams, a tool round trip, three providers) replays to itself with a stable hash', async () => {
    const first = await expectReplayParity(sdk.file);
    const again = await expectReplayParity(sdk.file);
    expect(first.exchanges).toBe(4);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(again.hash).toBe(first.hash);
    const summary = await replayCassette(sdk.file);
    expect(summary).toMatchObject({
      exchanges: 4,
      served: 4,
      equal: true,
      counts: { 'model.request': 4, 'model.response': 4, 'tool.request': 1, 'tool.response': 1 },
      streams: { total: 3, completed: 3, interrupted: 0, error: 0 },
      divergences: [],
    });
    expect(summary.replayed_hash).toBe(summary.recorded_hash);
  });

  test('a passive WebSocket capture replays to itself; agent events and capture faults are reported, not compared', async () => {
    const summary = await replayCassette(passive);
    expect(summary).toMatchObject({
      exchanges: 2,
      served: 2,
      equal: true,
      compared: 6,
      not_compared: 2,
      counts: { 'tool.request': 1, 'tool.response': 1, 'agent.event': 1, 'error.event': 1 },
      streams: { total: 2, completed: 2 },
    });
    await expect(expectReplayParity(passive)).resolves.toMatchObject({ exchanges: 2 });
  });

  test('an unsealed artifact whose body was edited (but not its assembly) fails with the first divergence', async () => {
    const lines = readFileSync(sdk.file, 'utf8').trimEnd().split('\n');
    const tampered = lines
      .filter((line) => !line.includes('"run.seal"'))
      .map((line) =>
        line.includes('"type":"model.response"') && line.includes('Hello from the fake upstream.')
          ? line.replace('Hello from the fake upstream.', 'Goodbye from the fake upstream.')
          : line,
      );
    const file = path.join(dir, 'tampered.rpk');
    writeFileSync(file, `${tampered.join('\n')}\n`);
    const error = await expectReplayParity(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayDivergenceError);
    expect((error as Error).message).toBe(
      [
        `[replaykit] Replay divergence in ${rel(file)}: exchange #1 (openai responses, POST /v1/responses) differs in its model.response step.`,
        '  First difference: assembled.text: expected "Hello from the fake upstream." but replayed has "Goodbye from the fake upstream."',
        '  Diff (- recorded, + replayed):',
        '    - assembled.text: "Hello from the fake upstream."',
        '    + assembled.text: "Goodbye from the fake upstream."',
      ].join('\n'),
    );
  });
});

describe('expectReplayParity with run: the code under test replayed against the cassette', () => {
  test('the same conversation is canonically equal (the upstream is gone: its port refuses)', async () => {
    const result = await expectReplayParity(sdk.file, () => sdkConversation(sdk.origin));
    expect(result.exchanges).toBe(4);
    expect(result.hash).toBe((await replayCassette(sdk.file)).replayed_hash);
  });

  test('a run that makes fewer calls fails: the cassette has an exchange the run never made', async () => {
    const openai = new OpenAI({
      apiKey: 'sk-test-FAKE',
      baseURL: `${sdk.origin}/v1`,
      maxRetries: 0,
    });
    const run = () =>
      openai.responses.stream({ model: 'gpt-5-mini', input: 'Weather in Paris?' }).finalResponse();
    const error = await expectReplayParity(sdk.file, run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayDivergenceError);
    expect((error as Error).message).toBe(
      [
        `[replaykit] Replay divergence in ${rel(sdk.file)}: exchange #1 (openai responses, POST /v1/responses) was recorded but never requested.`,
        '  The code under test now makes fewer calls. If the change is intended, re-record: REPLAYKIT_MODE=record <your test command>',
      ].join('\n'),
    );
  });

  test('a run that changes a request fails with the live request divergence, not a generic error', async () => {
    const openai = new OpenAI({
      apiKey: 'sk-test-FAKE',
      baseURL: `${sdk.origin}/v1`,
      maxRetries: 0,
    });
    const run = () => openai.responses.create({ model: 'gpt-5-mini', input: 'Weather in Rome?' });
    const error = await expectReplayParity(sdk.file, run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayDivergenceError);
    expect((error as Error).message).toContain(
      `[replaykit] Replay divergence in ${rel(sdk.file)}: the live request does not match exchange #1 (openai responses, POST /v1/responses).`,
    );
    expect((error as Error).message).toContain('but got "Weather in Rome?"');
  });
});
