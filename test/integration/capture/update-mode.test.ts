/**
 * Update mode (issue 20 item 1) with the real SDKs: a conversation of turns, each request carrying
 * the replies before it, is recorded, then changed and run again in `mode: 'update'`. The turns
 * before the change are served from the cassette (the upstream never sees them) and their lines
 * stay byte for byte; the first changed turn and every turn after it are recorded live.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { record } from '../../../src/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

// These tests are a developer updating cassettes on their machine; the suite itself runs with
// CI=true, where update is refused (that refusal has its own test below, with its own env).
beforeAll(() => {
  vi.stubEnv('CI', '');
  return () => vi.unstubAllEnvs();
});

let up: FakeUpstream | undefined;
afterEach(async () => {
  await up?.close();
  up = undefined;
});

type Turn = { role: 'user' | 'assistant'; text: string };
/** One turn of a conversation: sends the history, returns the reply's text. */
type Client = (origin: string, history: Turn[]) => Promise<string>;

const clients: Record<string, Client> = {
  openai: async (origin, history) => {
    const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      messages: history.map((t) => ({ role: t.role, content: t.text })),
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    return text;
  },
  anthropic: async (origin, history) => {
    const anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: origin, maxRetries: 0 });
    const message = await anthropic.messages
      .stream({
        model: 'claude-test-model',
        max_tokens: 100,
        messages: history.map((t) => ({ role: t.role, content: t.text })),
      })
      .finalMessage();
    return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  },
  gemini: async (origin, history) => {
    const ai = new GoogleGenAI({ apiKey: 'AIza-test-FAKE', httpOptions: { baseUrl: origin } });
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: history.map((t) => ({
        role: t.role === 'assistant' ? 'model' : 'user',
        parts: [{ text: t.text }],
      })),
    })) {
      text += chunk.text ?? '';
    }
    return text;
  },
};

/** The conversation: each prompt is sent with every turn before it, replies included. */
async function converse(client: Client, origin: string, prompts: string[]): Promise<string[]> {
  const history: Turn[] = [];
  const replies: string[] = [];
  for (const prompt of prompts) {
    history.push({ role: 'user', text: prompt });
    const reply = await client(origin, history);
    history.push({ role: 'assistant', text: reply });
    replies.push(reply);
  }
  return replies;
}

/** The upstream answers each prompt with its own text and a counter, so replays are told apart. */
async function upstream(): Promise<FakeUpstream> {
  const server = await startFakeUpstream();
  let n = 0;
  server.reply((req) => {
    const body = JSON.stringify(req.body ?? {});
    const prompts = [...body.matchAll(/"(?:content|text)":"(ask [^"]*)"/g)].map((m) => m[1]);
    n++;
    return { kind: 'text', text: `answer ${n} to ${prompts.at(-1) ?? 'nothing'}` };
  });
  return server;
}

/** Lines of the file that belong to the first `count` exchanges (by correlation id). */
function linesOfFirst(file: string, count: number): string[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const ids = lines
    .map((l) => JSON.parse(l) as { type: string; correlation_id?: string })
    .filter((l) => l.type === 'model.request')
    .slice(0, count)
    .map((l) => l.correlation_id);
  return lines.filter((l) =>
    ids.includes((JSON.parse(l) as { correlation_id?: string }).correlation_id),
  );
}

const scenarios = [
  {
    name: 'a changed last turn is re-recorded; the turns before it are kept',
    after: ['ask one', 'ask two', 'ask THREE'],
    report: { kept: [0, 1], replaced: [2], added: [], dropped: [] },
    live: 1,
  },
  {
    name: 'a changed middle turn re-records the tail after it',
    after: ['ask one', 'ask TWO', 'ask three'],
    report: { kept: [0], replaced: [1, 2], added: [], dropped: [] },
    live: 2,
  },
  {
    name: 'an added turn is recorded; every recorded turn is kept',
    after: ['ask one', 'ask two', 'ask three', 'ask four'],
    report: { kept: [0, 1, 2], replaced: [], added: [3], dropped: [] },
    live: 1,
  },
  {
    name: 'a removed last turn is dropped; the seal is renewed',
    after: ['ask one', 'ask two'],
    report: { kept: [0, 1], replaced: [], added: [], dropped: [2] },
    live: 0,
  },
];

describe.each(Object.keys(clients))('update mode with the %s SDK', (sdk) => {
  const client = clients[sdk]!;
  test.each(scenarios)('$name', async ({ after, report, live }) => {
    up = await upstream();
    const cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-update-')), 'chat.rpk');
    const before = ['ask one', 'ask two', 'ask three'];
    const recorded = await record({ cassette, mode: 'record' }, () =>
      converse(client, up!.url, before),
    );
    expect(recorded.value).toEqual([
      'answer 1 to ask one',
      'answer 2 to ask two',
      'answer 3 to ask three',
    ]);
    const oldKept = linesOfFirst(cassette, report.kept.length);
    const hitsBefore = up.received.length;

    const updated = await record({ cassette, mode: 'update' }, () =>
      converse(client, up!.url, after),
    );

    expect(updated.update).toEqual(report);
    // Only the changed turn and those after it reached the upstream.
    expect(up.received.length - hitsBefore).toBe(live);
    // Kept turns were answered from the cassette, new ones live (the counter went on from 3).
    const expected = after.map((prompt, i) =>
      i < report.kept.length
        ? recorded.value[i]
        : `answer ${4 + i - report.kept.length} to ${prompt}`,
    );
    expect(updated.value).toEqual(expected);
    // The kept exchanges are the same bytes, and come first.
    const lines = readFileSync(cassette, 'utf8').split('\n').filter(Boolean);
    expect(lines.slice(1, 1 + oldKept.length)).toEqual(oldKept);
    expect(linesOfFirst(cassette, report.kept.length)).toEqual(oldKept);
    // The seal is renewed: the file reads back whole, and replays offline.
    const { steps, seal } = await loadCassette(cassette);
    expect(seal?.steps).toBe(steps.length);
    expect(steps.filter((s) => s.type === 'model.request')).toHaveLength(after.length);
    await up.close();
    up = undefined;
    const replayed = await record({ cassette, mode: 'replay', strict: true }, () =>
      converse(client, 'http://127.0.0.1:9', after),
    );
    expect(replayed.value).toEqual(expected);
  });
});

describe('update mode', () => {
  test('leaves the cassette untouched when nothing changed', async () => {
    up = await upstream();
    const cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-update-')), 'chat.rpk');
    await record({ cassette, mode: 'record' }, () =>
      converse(clients.openai!, up!.url, ['ask one', 'ask two']),
    );
    const bytes = readFileSync(cassette);
    const updated = await record({ cassette, mode: 'update' }, () =>
      converse(clients.openai!, up!.url, ['ask one', 'ask two']),
    );
    expect(updated.update).toEqual({ kept: [0, 1], replaced: [], added: [], dropped: [] });
    expect(readFileSync(cassette)).toEqual(bytes);
  });

  test('a run that fails before the end without diverging leaves the cassette as it was', async () => {
    up = await upstream();
    const cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-update-')), 'chat.rpk');
    await record({ cassette, mode: 'record' }, () =>
      converse(clients.openai!, up!.url, ['ask one', 'ask two', 'ask three']),
    );
    const bytes = readFileSync(cassette);
    await expect(
      record({ cassette, mode: 'update' }, async () => {
        await converse(clients.openai!, up!.url, ['ask one']);
        throw new Error('the test failed here');
      }),
    ).rejects.toThrow('the test failed here');
    expect(readFileSync(cassette)).toEqual(bytes);
  });

  test('records a missing cassette whole', async () => {
    up = await upstream();
    const cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-update-')), 'new.rpk');
    const updated = await record({ cassette, mode: 'update' }, () =>
      converse(clients.openai!, up!.url, ['ask one']),
    );
    expect(updated.update).toEqual({ kept: [], replaced: [], added: [0], dropped: [] });
    const { steps } = await loadCassette(cassette);
    expect(steps.map((s) => s.type)).toEqual(['model.request', 'model.response']);
  });

  test('is refused on CI unless REPLAYKIT_ALLOW_CI_RECORD=1', async () => {
    up = await upstream();
    const cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-update-')), 'ci.rpk');
    const run = () => converse(clients.openai!, up!.url, ['ask one']);
    await expect(
      record({ cassette, mode: 'update', env: { CI: 'true' } }, run),
    ).rejects.toMatchObject({ code: 'E_CI_RECORD' });
    expect(up.received).toHaveLength(0);
    await expect(
      record({ cassette, env: { CI: '1', REPLAYKIT_MODE: 'update' } }, run),
    ).rejects.toThrow(/REPLAYKIT_ALLOW_CI_RECORD=1/);
    const allowed = await record(
      { cassette, env: { CI: '1', REPLAYKIT_MODE: 'update', REPLAYKIT_ALLOW_CI_RECORD: '1' } },
      run,
    );
    expect(allowed.mode).toBe('update');
    expect(up.received).toHaveLength(1);
  });
});
