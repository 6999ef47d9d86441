/**
 * Streaming replay behaves as live: events arrive as separate reads in recorded order, pacing
 * follows the recording at replaySpeed 1, an abort stops the stream mid-replay, and recorded
 * errors (HTTP 4xx/5xx, in-stream error events, cut-off streams) reach the SDK as they did live.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let origin: string;
let dir: string;
beforeAll(async () => {
  up = await startFakeUpstream();
  origin = up.url;
  dir = mkdtempSync(path.join(tmpdir(), 'rk-stream-'));
});
afterAll(() => up.close());

const openai = () => new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries: 0 });
const anthropic = () =>
  new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: origin, maxRetries: 0 });

/** Records `run` live, then replays it with the upstream refusing nothing but answering nothing. */
async function recordThenReplay<T>(name: string, run: () => Promise<T>, replay = run) {
  const cassette = path.join(dir, `${name}.rpk`);
  up.reset();
  const recorded = await record({ cassette, mode: 'record' }, run);
  up.reset();
  up.reply(() => ({ kind: 'error', status: 500, message: 'the upstream must not be called' }));
  const replayed = await record({ cassette, mode: 'replay' }, replay);
  expect(up.received).toHaveLength(0);
  up.reset();
  return { recorded: recorded.value, replayed: replayed.value, cassette };
}

/** Raw SSE reads of a Chat stream: what the SDK's parser receives, read by read. */
async function rawReads(speed: number, cassette: string) {
  return record({ cassette, mode: 'replay', replaySpeed: speed }, async () => {
    const res = await fetch(`${origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-FAKE' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'count' }],
        stream: true,
      }),
    });
    const reader = res.body!.getReader();
    const reads: string[] = [];
    for (;;) {
      const next = await reader.read();
      if (next.done) return reads;
      reads.push(new TextDecoder().decode(next.value));
    }
  });
}

describe('streaming replay', () => {
  test('events arrive as separate reads, in recorded order, at replaySpeed 0 and 1', async () => {
    const cassette = path.join(dir, 'paced.rpk');
    up.reset();
    up.enqueue({ kind: 'text', text: 'one two three', delayMs: 30 });
    await record({ cassette, mode: 'record' }, async () => {
      const s = await openai().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'count' }],
        stream: true,
      });
      for await (const _ of s);
    });
    const fast = await rawReads(0, cassette);
    const paced = await rawReads(1, cassette);
    // Paced by the recorded gaps, each event is its own read: never one buffered chunk.
    expect(paced.value).toHaveLength(6);
    expect(paced.value.every((read) => read.startsWith('data: ') && read.endsWith('\n\n'))).toBe(
      true,
    );
    const words = paced.value.map((r) => /"content":"([^"]*)"/.exec(r)?.[1]).filter(Boolean);
    expect(words).toEqual(['one', ' two', ' three']);
    expect(paced.value.at(-1)).toBe('data: [DONE]\n\n');
    // Instant replay may hand several events to one read (as a fast network does): same bytes.
    expect(fast.value.join('')).toBe(paced.value.join(''));
  });

  test('for await and the SDK stream helpers see the same events; an abort stops the replay mid-stream', async () => {
    const run = async () => {
      up.enqueue(
        { kind: 'text', text: 'a b c' },
        { kind: 'text', text: 'one two three four five', delayMs: 20 },
      );
      const stream = openai().responses.stream({ model: 'gpt-5-mini', input: 'Say hi' });
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      const controller = new AbortController();
      const aborted = await anthropic()
        .messages.create(
          {
            model: 'claude-test-model',
            max_tokens: 50,
            stream: true,
            messages: [{ role: 'user', content: 'hi' }],
          },
          { signal: controller.signal },
        )
        .then(async (s) => {
          const seen: string[] = [];
          try {
            for await (const event of s) {
              seen.push(event.type);
              if (event.type === 'content_block_delta') controller.abort();
            }
            return { seen, error: null };
          } catch (error) {
            return { seen, error: (error as Error).name };
          }
        });
      return { types, aborted };
    };
    const { recorded, replayed } = await recordThenReplay('abort', run);
    expect(recorded.types).toContain('response.output_text.delta');
    expect(recorded.types.at(-1)).toBe('response.completed');
    // The SDK ends a user-aborted iteration quietly, right after the event that aborted it.
    expect(recorded.aborted).toEqual({
      seen: ['message_start', 'content_block_start', 'content_block_delta'],
      error: null,
    });
    expect(replayed).toEqual(recorded);
  });
});

describe('recorded errors replay as they happened', () => {
  const catchError = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => {
        const err = e as { constructor: { name: string }; status?: number; message: string };
        return { name: err.constructor.name, status: err.status, message: err.message };
      },
    );

  test('HTTP 429 and 500 JSON errors reach the SDK with the same class, status and message', async () => {
    const run = async () => {
      up.enqueue({ kind: 'error', status: 429 }, { kind: 'error', status: 500 });
      const client = openai();
      const ask = () =>
        client.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'x' }],
        });
      return [await catchError(ask()), await catchError(ask())];
    };
    const { recorded, replayed } = await recordThenReplay('http-errors', run);
    expect(recorded.map((e) => e?.name)).toEqual(['RateLimitError', 'InternalServerError']);
    expect(replayed).toEqual(recorded);
  });

  test('an in-stream error event and a stream cut off mid-way fail the SDK the same way', async () => {
    const run = async () => {
      up.enqueue(
        { kind: 'stream-error', message: 'overloaded mid-stream' },
        { kind: 'disconnect', afterEvents: 3 },
      );
      const client = anthropic();
      const body = {
        model: 'claude-test-model',
        max_tokens: 50,
        messages: [{ role: 'user' as const, content: 'hi' }],
      };
      const streamError = await catchError(client.messages.stream(body).finalMessage());
      const cut = await catchError(client.messages.stream(body).finalMessage());
      return { streamError, cut: cut ? { name: cut.name } : null };
    };
    const { recorded, replayed } = await recordThenReplay('stream-errors', run);
    expect(recorded.streamError?.message).toContain('overloaded mid-stream');
    expect(recorded.cut).not.toBeNull();
    expect(replayed).toEqual(recorded);
  });
});
