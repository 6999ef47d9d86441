/**
 * The listener's `--mode update` and `--mode replay --chaos` (issue 20): the real SDKs talk to the
 * gateway; an update keeps the unchanged turns byte for byte and records the rest live; chaos
 * re-chunks and faults what replay serves. The CLI test runs `replaypack listen start` for real.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createListenerCapture } from '../../../src/listener/capture.ts';
import { createGateway, type Gateway } from '../../../src/listener/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import type { ChaosOptions } from '../../../src/replay/chaos.ts';
import { replaypack } from '../../support/cli.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let dir: string;
let up: FakeUpstream;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-listen-update-'));
  up = await startFakeUpstream();
  let n = 0;
  up.reply((req) => {
    const prompts = [...JSON.stringify(req.body ?? {}).matchAll(/"(ask [^"]*)"/g)].map((m) => m[1]);
    return { kind: 'text', text: `answer ${++n} to ${prompts.at(-1) ?? 'nothing'} — ☀️` };
  });
});
afterEach(async () => {
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

type Turn = { role: 'user' | 'assistant'; text: string };
type Client = (url: string, history: Turn[]) => Promise<string>;

const clients: Record<string, Client> = {
  openai: async (url, history) => {
    const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${url}/v1`, maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: 'gpt-test',
      stream: true,
      messages: history.map((t) => ({ role: t.role, content: t.text })),
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    return text;
  },
  anthropic: async (url, history) => {
    const anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: url, maxRetries: 0 });
    const message = await anthropic.messages
      .stream({
        model: 'claude-test',
        max_tokens: 50,
        messages: history.map((t) => ({ role: t.role, content: t.text })),
      })
      .finalMessage();
    return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  },
  gemini: async (url, history) => {
    const ai = new GoogleGenAI({ apiKey: 'AIza-test-FAKE', httpOptions: { baseUrl: url } });
    let text = '';
    for await (const chunk of await ai.models.generateContentStream({
      model: 'gemini-test',
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

async function converse(client: Client, url: string, prompts: string[]): Promise<string[]> {
  const history: Turn[] = [];
  const replies: string[] = [];
  for (const prompt of prompts) {
    history.push({ role: 'user', text: prompt });
    const reply = await client(url, history);
    history.push({ role: 'assistant', text: reply });
    replies.push(reply);
  }
  return replies;
}

function gateway(mode: 'live' | 'update' | 'replay', artifact: string, extra = {}) {
  return createGateway({
    port: 0,
    mode,
    upstreams: { openai: up.url, anthropic: up.url, gemini: up.url },
    capture: createListenerCapture({
      artifact,
      ...(mode === 'replay' ? { responseSource: 'replay' as const } : {}),
    }),
    ...extra,
  });
}

async function within<T>(g: Gateway, fn: (url: string) => Promise<T>) {
  try {
    return await fn(g.url);
  } finally {
    await g.close();
  }
}

/** The lines of the first `count` exchanges (by request order). */
function linesOfFirst(file: string, count: number): string[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const parsed = lines.map((l) => JSON.parse(l) as { type: string; correlation_id?: string });
  const ids = parsed
    .filter((l) => l.type === 'model.request')
    .slice(0, count)
    .map((l) => l.correlation_id);
  return lines.filter((_, i) => ids.includes(parsed[i]!.correlation_id));
}

describe.each(Object.keys(clients))('listener --mode update with the %s SDK', (sdk) => {
  test('a changed middle turn: the first is kept byte for byte, the tail re-recorded', async () => {
    const client = clients[sdk]!;
    const cassette = join(dir, 'session.rpk');
    const before = ['ask one', 'ask two', 'ask three'];
    const recorded = await within(await gateway('live', cassette), (url) =>
      converse(client, url, before),
    );
    const kept = linesOfFirst(cassette, 1);
    expect(kept.length).toBeGreaterThan(1);
    const hits = up.received.length;

    const after = ['ask one', 'ask TWO', 'ask three'];
    const g = await gateway('update', join(dir, 'update-run.rpk'), { cassette });
    const updated = await converse(client, g.url, after);
    const closed = await g.close();

    expect(closed.update).toEqual({ kept: [0], replaced: [1, 2], added: [], dropped: [] });
    expect(up.received.length - hits).toBe(2);
    expect(updated[0]).toBe(recorded[0]);
    expect(updated[1]).toMatch(/^answer 4 to ask TWO/);
    expect(linesOfFirst(cassette, 1)).toEqual(kept);
    const { steps, seal } = await loadCassette(cassette);
    expect(seal?.steps).toBe(steps.length);

    // The rewritten cassette replays the changed session with the upstream gone.
    await up.close();
    const replayed = await within(
      await gateway('replay', join(dir, 'r.rpk'), { cassette }),
      (url) => converse(client, url, after),
    );
    expect(replayed).toEqual(updated);
    up = await startFakeUpstream();
  });
});

describe('listener --mode replay --chaos', () => {
  test('the SDKs parse every re-chunking the same (property over seeds), and 429 is retried', async () => {
    const cassette = join(dir, 'chaos.rpk');
    const prompts = ['ask chaos'];
    const plain: Record<string, string[]> = {};
    await within(await gateway('live', cassette), async (url) => {
      for (const [sdk, client] of Object.entries(clients))
        plain[sdk] = await converse(client, url, prompts);
    });
    const runs = async (chaos: ChaosOptions) =>
      within(
        await gateway('replay', join(dir, `r-${chaos.seed}-${chaos.chunking}.rpk`), {
          cassette,
          chaos,
        }),
        async (url) => {
          const out: Record<string, string[]> = {};
          for (const [sdk, client] of Object.entries(clients))
            out[sdk] = await converse(client, url, prompts);
          return out;
        },
      );
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.constantFrom<ChaosOptions['chunking']>('random', 'byte', 3),
        async (seed, chunking) => {
          expect(await runs({ seed, chunking })).toEqual(plain);
        },
      ),
      { numRuns: 8 },
    );
    // status: the first attempt fails with the provider's 429, which the SDK reports.
    const g = await gateway('replay', join(dir, 'r-429.rpk'), {
      cassette,
      chaos: { seed: 1, status: 429 },
    });
    const failed = await clients.openai!(g.url, [{ role: 'user', text: 'ask chaos' }]).catch(
      (e: unknown) => e,
    );
    expect((failed as { status?: number }).status).toBe(429);
    // ...and the retry is served.
    expect(await clients.openai!(g.url, [{ role: 'user', text: 'ask chaos' }])).toBe(
      plain.openai![0],
    );
    await g.close();
  });
});

describe('replaypack listen start through the CLI', () => {
  test('--mode update and --chaos are accepted and checked', async () => {
    const home = join(dir, 'home');
    // A developer's machine (CI's refusal is checked below): the suite itself runs with CI=true.
    const run = (args: string[]) => replaypack(args, { env: { REPLAYKIT_HOME: home, CI: '' } });
    const cassette = join(dir, 'cli.rpk');
    const bad = await run(['listen', 'start', '--port', '0', '--mode', 'update']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--mode update needs --cassette FILE');
    const chaosOnLive = await run(['listen', 'start', '--port', '0', '--chaos', 'seed=1']);
    expect(chaosOnLive.exitCode).toBe(2);
    expect(chaosOnLive.stderr).toContain('--chaos only applies to --mode replay');
    const badChaos = await run([
      'listen',
      'start',
      '--port',
      '0',
      '--mode',
      'replay',
      '--cassette',
      cassette,
      '--chaos',
      'chunking=byte',
    ]);
    expect(badChaos.exitCode).toBe(2);
    expect(badChaos.stderr).toContain('seed is required');
    const onCi = await replaypack(
      ['listen', 'start', '--port', '0', '--mode', 'update', '--cassette', cassette],
      { env: { REPLAYKIT_HOME: home, CI: 'true' } },
    );
    expect(onCi.exitCode).not.toBe(0);
    expect(onCi.stderr).toContain('REPLAYKIT_ALLOW_CI_RECORD=1');

    // A real update run: start, one changed conversation, stop; the cassette is written.
    const started = await run([
      'listen',
      'start',
      '--port',
      '0',
      '--mode',
      'update',
      '--cassette',
      cassette,
      '--out',
      join(dir, 'out'),
      '--upstream',
      `openai=${up.url}`,
      '--json',
    ]);
    expect(started.exitCode, started.stderr).toBe(0);
    const { url, pid } = JSON.parse(started.stdout) as { url: string; pid: number };
    try {
      expect(await converse(clients.openai!, url, ['ask cli'])).toEqual([
        'answer 1 to ask cli — ☀️',
      ]);
    } finally {
      const stopped = await run(['listen', 'stop']);
      expect(stopped.stdout).toContain('cassette  kept 0, replaced 0, added 1 (#0), dropped 0');
      try {
        process.kill(pid, 0) && process.kill(pid, 'SIGKILL');
      } catch {}
    }
    const { steps } = await loadCassette(cassette);
    expect(steps.filter((s) => s.type === 'model.request')).toHaveLength(1);
  }, 60_000);
});
