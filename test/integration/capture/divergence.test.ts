import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CassetteFormatError,
  ReplayDivergenceError,
  ReplayKitError,
  record,
} from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let dir: string;
let cassette: string;
let openai: OpenAI;

const ask = (content: string) =>
  openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });

beforeAll(async () => {
  up = await startFakeUpstream();
  dir = mkdtempSync(path.join(tmpdir(), 'rk-div-'));
  cassette = path.join(dir, 'chat.rpk');
  openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
  await record({ cassette, mode: 'record' }, async () => {
    await ask('Hi');
    await ask('Bye');
  });
  await up.close();
});
afterAll(() => up.close());

const rel = (file: string) => path.relative(process.cwd(), file);

describe('first divergence', () => {
  test('a changed message names the exchange, the JSON path and both values, word for word', async () => {
    const rec = await record({ cassette: rel(cassette), mode: 'replay' });
    const error = await ask('Hello').catch((e: unknown) => e);
    const result = await rec.stop();
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(result.divergences).toHaveLength(1);
    const divergence = result.divergences[0]!;
    expect(divergence).toBeInstanceOf(ReplayDivergenceError);
    // Then the conversation-level HTML diff's path (issue 19: replay-divergence-diff.test.ts).
    const [message, page] = divergence.message.split('\n  HTML diff: ');
    expect(page).toMatch(/chat-[0-9a-f]{6}\.diff\.html$/);
    expect(message).toBe(
      [
        `[replaykit] Replay divergence in ${rel(cassette)}: the live request does not match exchange #0 (openai chat.completions, POST /v1/chat/completions).`,
        '  First difference: body.messages[0].content: expected "Hi" but got "Hello"',
        '  Closest recorded request: #0 POST /v1/chat/completions {"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]}',
        '  Diff (- recorded, + live):',
        '    - body.messages[0].content: "Hi"',
        '    + body.messages[0].content: "Hello"',
        '  If the change is intended, re-record: REPLAYKIT_MODE=record <your test command>',
      ].join('\n'),
    );
    // The SDK's own error carries the same report, so a test that only sees the SDK error still
    // shows what diverged.
    expect((error as Error).message).toContain(
      'body.messages[0].content: expected "Hi" but got "Hello"',
    );
    expect(result.unused.map((u) => u.exchange)).toEqual([0, 1]);
  });

  test('the block form throws the divergence; each exchange is served once', async () => {
    const run = record({ cassette: rel(cassette), mode: 'replay' }, async () => {
      await ask('Hi');
      await ask('Bye');
      await ask('Bye').catch(() => undefined);
    });
    await expect(run).rejects.toThrow(ReplayDivergenceError);
    await expect(run).rejects.toThrow(
      `[replaykit] Replay divergence in ${rel(cassette)}: no unused recorded exchange left for openai chat.completions (POST /v1/chat/completions); the cassette holds 2 and all were served.`,
    );
  });

  test('strict mode fails on exchanges never requested', async () => {
    await expect(
      record({ cassette: rel(cassette), mode: 'replay', strict: true }, () => ask('Hi')),
    ).rejects.toThrow(
      `[replaykit] Replay divergence in ${rel(cassette)}: exchange #1 (openai chat.completions, POST /v1/chat/completions) was recorded but never requested.`,
    );
  });

  test('ignorePaths leaves a field out of matching', async () => {
    const result = await record(
      { cassette: rel(cassette), mode: 'replay', ignorePaths: ['body.messages[*].content'] },
      async () => (await ask('Anything')).choices[0]?.message.content,
    );
    expect(result.value).toBe('Hello from the fake upstream.');
  });
});

describe('documented errors', () => {
  test('a missing cassette in replay mode says how to record it', async () => {
    await expect(record({ cassette: 'cassettes/nope.rpk', mode: 'replay' })).rejects.toThrow(
      '[replaykit] Failed to replay "cassettes/nope.rpk": the cassette does not exist (mode replay). Record it first: REPLAYKIT_MODE=record <your test command>',
    );
  });

  test('CI defaults to replay, so a missing cassette fails there too', async () => {
    const error = await record({ cassette: 'cassettes/nope.rpk', env: { CI: 'true' } }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(ReplayKitError);
    expect(error.code).toBe('E_CASSETTE_MISSING');
  });

  test('a corrupted cassette fails with file:line and what is wrong', async () => {
    const bad = path.join(dir, 'bad.rpk');
    writeFileSync(bad, '{"type":"run.header"\n');
    const error = await record({ cassette: bad, mode: 'replay' }).catch((e) => e);
    expect(error).toBeInstanceOf(CassetteFormatError);
    expect(error.message).toMatch(
      new RegExp(`^\\[replaykit\\] ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: `),
    );
  });

  test('a second record() scope on the same cassette file is refused; on another one it runs', async () => {
    const first = await record({ cassette, mode: 'replay' });
    await expect(record({ cassette, mode: 'replay' })).rejects.toThrow(
      `[replaykit] Failed to start recording "${cassette}": another record() scope is active for the same cassette file. Give each scope its own cassette, or stop the first one (await rec.stop()).`,
    );
    const other = await record({ cassette: path.join(dir, 'other.rpk'), mode: 'record' });
    expect(other.mode).toBe('record');
    await other.stop();
    await first.stop();
  });
});
