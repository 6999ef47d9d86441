/**
 * Modes and matching options: `sequence`, `allowRepeats`, non-provider traffic in replay mode
 * (through by default, blocked with `unhandled: 'error'`), `passthrough`, `off` and `auto`.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ReplayDivergenceError, record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let other: Server;
let otherUrl: string;
let dir: string;
let cassette: string;
let openai: OpenAI;
let hits = 0;

const ask = async (content: string) =>
  (
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content }],
    })
  ).choices[0]?.message.content;

/** The upstream answers each question by name, so a test sees which exchange it got. */
const answerByName = () =>
  up.reply((req) => ({
    kind: 'text',
    text: `answer to ${JSON.stringify(req.body).match(/q\d/)?.[0]}`,
  }));

beforeAll(async () => {
  up = await startFakeUpstream();
  answerByName();
  other = createServer((_req, res) => {
    hits++;
    res.end('not an LLM');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/health`;
  dir = mkdtempSync(path.join(tmpdir(), 'rk-modes-'));
  cassette = path.join(dir, 'two.rpk');
  openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
  await record({ cassette, mode: 'record' }, async () => [await ask('q1'), await ask('q2')]);
});
afterAll(async () => {
  await up.close();
  other.close();
});

describe('matching', () => {
  test("match: 'sequence' serves in recorded order and diverges on the first out-of-order request", async () => {
    const inOrder = await record({ cassette, mode: 'replay', match: 'sequence' }, async () => [
      await ask('q1'),
      await ask('q2'),
    ]);
    expect(inOrder.value).toEqual(['answer to q1', 'answer to q2']);
    const swapped = record({ cassette, mode: 'replay', match: 'sequence' }, async () => {
      await ask('q2').catch(() => undefined);
    });
    await expect(swapped).rejects.toThrow(ReplayDivergenceError);
    await expect(swapped).rejects.toThrow('the live request does not match exchange #0');
    // Fingerprint matching (the default) serves the same swap from the cassette.
    const fingerprint = await record({ cassette, mode: 'replay' }, async () => [
      await ask('q2'),
      await ask('q1'),
    ]);
    expect(fingerprint.value).toEqual(['answer to q2', 'answer to q1']);
  });

  test('allowRepeats serves an exchange again once its equals are used', async () => {
    const result = await record({ cassette, mode: 'replay', allowRepeats: true }, async () => [
      await ask('q1'),
      await ask('q1'),
      await ask('q1'),
    ]);
    expect(result.value).toEqual(['answer to q1', 'answer to q1', 'answer to q1']);
    expect(result.unused.map((u) => u.exchange)).toEqual([1]);
  });
});

describe('non-provider traffic in replay mode', () => {
  test('passes through untouched by default', async () => {
    hits = 0;
    const result = await record({ cassette, mode: 'replay' }, async () =>
      (await fetch(otherUrl)).text(),
    );
    expect(result.value).toBe('not an LLM');
    expect(hits).toBe(1);
  });

  test("unhandled: 'error' blocks it as a network error", async () => {
    hits = 0;
    const result = await record({ cassette, mode: 'replay', unhandled: 'error' }, async () =>
      fetch(otherUrl).then(
        () => 'reached',
        (e: Error) => e.message,
      ),
    );
    expect(result.value).toBe('fetch failed');
    expect(hits).toBe(0);
  });
});

describe('modes', () => {
  test('passthrough and off make live calls and write nothing', async () => {
    for (const mode of ['passthrough', 'off'] as const) {
      const file = path.join(dir, `${mode}.rpk`);
      up.reset();
      answerByName();
      const result = await record({ cassette: file, mode }, () => ask('q1'));
      expect(result).toMatchObject({ mode, exchanges: 0, value: 'answer to q1' });
      expect(up.received).toHaveLength(1);
      expect(existsSync(file)).toBe(false);
    }
  });

  test('auto records when the cassette is missing and replays when it is present', async () => {
    const file = path.join(dir, 'auto.rpk');
    up.reset();
    answerByName();
    const first = await record({ cassette: file, mode: 'auto' }, () => ask('q2'));
    expect(first).toMatchObject({ mode: 'record', exchanges: 1, value: 'answer to q2' });
    expect(up.received).toHaveLength(1);
    const second = await record({ cassette: file, mode: 'auto' }, () => ask('q2'));
    expect(second).toMatchObject({ mode: 'replay', exchanges: 1, value: 'answer to q2' });
    expect(up.received).toHaveLength(1);
  });
});
