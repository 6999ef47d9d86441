/**
 * Chaos replay's `status` answers with each provider's own error, read by its real SDK as that
 * SDK reads production errors. Bedrock's SDK names the error from `x-amzn-errortype`, and
 * Ollama's reads an `error` string: an OpenAI-shaped body left both SDKs with an unnamed error,
 * so the app's handling of throttling was never what the test exercised.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import type { ChaosStatus } from '../../../src/replay/chaos-errors.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

const DEAD = 'http://127.0.0.1:9';

async function bedrock(origin: string, maxAttempts: number): Promise<string> {
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: origin,
    credentials: { accessKeyId: 'AKIDREPLAYKITFAKE', secretAccessKey: 'bedrock-secret-FAKE' },
    maxAttempts,
    requestHandler: new NodeHttpHandler(),
  });
  try {
    const answer = await client.send(
      new ConverseCommand({
        modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
        messages: [{ role: 'user', content: [{ text: 'chaos status' }] }],
      }),
    );
    return answer.output?.message?.content?.[0]?.text ?? '';
  } finally {
    client.destroy();
  }
}

async function ollama(origin: string): Promise<string> {
  const answer = await new Ollama({ host: origin }).chat({
    model: 'llama3.2',
    messages: [{ role: 'user', content: 'chaos status' }],
  });
  return answer.message.content;
}

let up: FakeUpstream;
const cassettes: Record<string, string> = {};
const recorded: Record<string, string> = {};

beforeAll(async () => {
  up = await startFakeUpstream();
  const dir = mkdtempSync(path.join(tmpdir(), 'rk-chaos-status-'));
  for (const [name, run] of Object.entries({
    bedrock: (o: string) => bedrock(o, 1),
    ollama,
  })) {
    cassettes[name] = path.join(dir, `${name}.rpk`);
    recorded[name] = (
      await record({ cassette: cassettes[name], mode: 'record' }, () => run(up.url))
    ).value;
    expect(recorded[name]).not.toBe('');
  }
  await up.close();
});
afterAll(() => up?.close());

describe('Bedrock: the SDK throws the exception it throws in production', () => {
  test.each([
    [429, 'ThrottlingException'],
    [500, 'InternalServerException'],
    [503, 'ServiceUnavailableException'],
  ] as [ChaosStatus, string][])('status %i is a %s', async (status, name) => {
    const error = (await record(
      { cassette: cassettes.bedrock!, mode: 'replay', chaos: { seed: 1, status } },
      () => bedrock(DEAD, 1),
    ).catch((e: unknown) => e)) as { name?: string; $metadata?: { httpStatusCode?: number } };
    expect(error.name).toBe(name);
    expect(error.$metadata?.httpStatusCode).toBe(status);
  });

  test('with retries the SDK retries the throttling and gets the recording', async () => {
    const { value } = await record(
      { cassette: cassettes.bedrock!, mode: 'replay', chaos: { seed: 1, status: 429 } },
      () => bedrock(DEAD, 2),
    );
    expect(value).toBe(recorded.bedrock);
  });
});

test('Ollama: the SDK reads the server busy message and status', async () => {
  const error = (await record(
    { cassette: cassettes.ollama!, mode: 'replay', chaos: { seed: 1, status: 503 } },
    () => ollama(DEAD),
  ).catch((e: unknown) => e)) as { status_code?: number; error?: string };
  expect(error.status_code).toBe(503);
  expect(error.error).toMatch(/server busy/);
});
