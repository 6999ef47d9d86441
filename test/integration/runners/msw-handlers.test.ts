/**
 * `replaykit/msw` from the packed package: a cassette served by msw 3's `setupServer`, streams
 * included, to the real SDKs, with no network; a changed request gets the divergence report as a
 * provider error.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { execa } from 'execa';
import { setupServer } from 'msw/node';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { installedPackage, REPO } from './package.ts';

type MswModule = typeof import('../../../integrations/msw/index.ts');

let up: FakeUpstream;
let cassette: string;
let url: string;
let msw: MswModule;

const clients = () => ({
  openai: new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${url}/v1`, maxRetries: 0 }),
  anthropic: new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: url, maxRetries: 0 }),
});

async function conversation(prompt: string) {
  const { openai, anthropic } = clients();
  const stream = openai.responses.stream({ model: 'gpt-5', input: prompt });
  const deltas: string[] = [];
  stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
  const final = await stream.finalResponse();
  const message = await anthropic.messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 100,
    messages: [{ role: 'user', content: prompt }],
  });
  return { deltas, text: final.output_text, claude: message.content };
}

beforeAll(async () => {
  const root = await installedPackage();
  msw = (await import(path.join(root, 'base/node_modules/replaykit/dist/msw.mjs'))) as MswModule;
  up = await startFakeUpstream();
  url = up.url;
  cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-msw-')), 'msw.rpk');
  // Recorded in a child process: after a `record()` scope in this process, msw's own interceptor
  // missed the next request (a shared @mswjs/interceptors source, reported in the notes).
  const script = `
    import { record } from ${JSON.stringify(path.join(REPO, 'src/index.ts'))};
    import { execa } from 'execa';
import OpenAI from 'openai';
    import Anthropic from '@anthropic-ai/sdk';
    const url = process.env.FAKE_URL;
    await record({ cassette: process.env.CASSETTE, mode: 'record' }, async () => {
      const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: url + '/v1', maxRetries: 0 });
      await openai.responses.stream({ model: 'gpt-5', input: 'Hi' }).finalResponse();
      const anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: url, maxRetries: 0 });
      await anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    });`;
  await execa(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO,
    env: { FAKE_URL: url, CASSETTE: cassette },
  });
  await up.close();
}, 300_000);
afterAll(() => up?.close());

describe('handlersFromCassette', () => {
  test('serves the recorded stream event by event and the JSON answer, offline', async () => {
    const server = setupServer(...msw.handlersFromCassette(cassette));
    server.listen({ onUnhandledFrame: 'error' });
    try {
      const out = await conversation('Hi');
      expect(out.deltas).toEqual(['Hello', ' from', ' the', ' fake', ' upstream.']);
      expect(out.text).toBe('Hello from the fake upstream.');
      expect(out.claude).toEqual([{ type: 'text', text: 'Hello from the fake upstream.' }]);
    } finally {
      server.close();
    }
  });

  test('a changed request gets the divergence report as the provider error', async () => {
    const served = msw.cassetteHandlers(cassette);
    const server = setupServer(...served.handlers);
    server.listen({ onUnhandledFrame: 'error' });
    try {
      const error = await clients()
        .openai.responses.create({ model: 'gpt-5', input: 'Bye' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as Error).message).toContain(
        'First difference: body.input: expected "Hi" but got "Bye"',
      );
      expect(served.divergences).toHaveLength(1);
      expect(served.unused().map((r) => r.endpoint)).toEqual(['responses', 'messages']);
    } finally {
      server.close();
    }
  });
});
