/**
 * A changed request in replay makes the SDK throw its own error (the provider-shaped 400, or the
 * AI SDK's `AI_NoOutputGeneratedError`). `record(options, run)` must still fail with the
 * `ReplayDivergenceError` that explains it, the SDK's error kept as its `cause` (issue 13,
 * symptom 4).
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import Anthropic from '@anthropic-ai/sdk';
import { streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import {
  expectReplayParity,
  ReplayDivergenceError,
  type ReplayKitError,
  record,
} from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
const dir = mkdtempSync(path.join(tmpdir(), 'rk-throws-'));

beforeAll(async () => {
  up = await startFakeUpstream();
});
afterAll(() => up.close());

const clients = () => ({
  openai: new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 }),
  anthropic: new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: up.url, maxRetries: 0 }),
  ai: createOpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1` }),
});

const scenarios: Record<
  string,
  { endpoint: string; call: (prompt: string) => Promise<unknown>; path: string }
> = {
  'openai SDK (its own 400 APIError)': {
    endpoint: 'openai chat.completions',
    call: async (prompt: string) => {
      const r = await clients().openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: prompt }],
      });
      return r.choices[0]?.message.content;
    },
    path: 'body.messages[0].content',
  },
  'anthropic SDK (its own 400 BadRequestError)': {
    endpoint: 'anthropic messages',
    call: async (prompt: string) => {
      const stream = clients().anthropic.messages.stream({
        model: 'claude-test-model',
        max_tokens: 64,
        messages: [{ role: 'user', content: prompt }],
      });
      return (await stream.finalMessage()).content;
    },
    path: 'body.messages[0].content',
  },
  'AI SDK streamText (AI_NoOutputGeneratedError)': {
    endpoint: 'openai responses',
    call: async (prompt: string) => {
      const result = streamText({ model: clients().ai('gpt-5-mini'), prompt, maxRetries: 0 });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      return { text, finish: await result.finishReason };
    },
    path: 'body.input[0].content[0].text',
  },
};

describe.each(Object.entries(scenarios))('%s', (name, scenario) => {
  const cassette = path.join(dir, `${name.split(' ')[0]}.rpk`);

  beforeAll(async () => {
    await record({ cassette, mode: 'record' }, () => scenario.call('What is the capital?'));
  });

  test('record(options, run) fails with the divergence (path, expected, actual), the SDK error as its cause', async () => {
    const sdkError = await scenario.call('What is the capital?').then(
      () => null,
      (e: unknown) => e,
    );
    expect(sdkError).toBeNull(); // the live upstream answers the real call; replay is what fails

    const failure = await record({ cassette, mode: 'replay' }, () =>
      scenario.call('What is the capitol?'),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ReplayDivergenceError);
    const divergence = failure as ReplayDivergenceError;
    expect(divergence.details).toMatchObject({
      kind: 'mismatch',
      difference: {
        path: scenario.path,
        expected: 'What is the capital?',
        actual: 'What is the capitol?',
      },
    });
    expect(divergence.message).toContain(
      `First difference: ${scenario.path}: expected "What is the capital?" but got "What is the capitol?"`,
    );
    expect(divergence.message).toContain(scenario.endpoint);
    // The run's own failure is kept, not swallowed: it is what the SDK made of the divergence.
    expect(divergence.cause).toBeInstanceOf(Error);
    expect(divergence.cause).not.toBeInstanceOf(ReplayDivergenceError);
  });

  test('expectReplayParity(rpk, run) fails the same way, the SDK error as its cause', async () => {
    const failure = await expectReplayParity(cassette, () =>
      scenario.call('What is the capitol?'),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ReplayDivergenceError);
    expect((failure as ReplayDivergenceError).details.difference).toMatchObject({
      path: scenario.path,
      expected: 'What is the capital?',
      actual: 'What is the capitol?',
    });
    expect((failure as ReplayDivergenceError).cause).toBeInstanceOf(Error);
  });
});

test('when run throws and stop() throws too, the stop error keeps the run error as its cause', async () => {
  // stop() fails when traffic went unrecorded (a provider socket no module speaks); the run's
  // own error must not be lost behind it.
  const cassette = path.join(dir, 'both-throw.rpk');
  up.enqueue({ kind: 'text', text: 'hello' });
  const failed = await record({ cassette, mode: 'record' }, async () => {
    await clients().openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const live = new WebSocket(`${up.url.replace('http', 'ws')}/v1/realtime?model=gpt-realtime`);
    const [, res] = (await once(live, 'unexpected-response')) as [unknown, { resume(): void }];
    res.resume();
    // ws reports terminating a refused handshake as an 'error' event, which throws without a listener.
    live.on('error', () => undefined);
    live.terminate();
    throw new Error('the app gave up');
  }).then(
    () => null,
    (error: unknown) => error as ReplayKitError,
  );
  expect(failed?.code).toBe('E_WEBSOCKET_CAPTURE');
  expect((failed?.cause as Error | undefined)?.message).toBe('the app gave up');
});
