/**
 * Chaos replay (issue 20 item 2) under the OpenAI Agents SDK: a streamed tool loop recorded once,
 * then replayed re-chunked for many seeds (same output and deltas), with a 429 on each turn's
 * first attempt (the SDK's client retries after `retry-after`), and cut mid-stream (the run fails).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, OpenAIProvider, Runner, setTracingDisabled, tool } from '@openai/agents';
import fc from 'fast-check';
import OpenAI from 'openai';
import { beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { record } from '../../../src/index.ts';
import type { ChaosOptions } from '../../../src/replay/chaos.ts';
import { startFakeUpstream } from '../../support/fake-upstream/index.ts';

// The tracing exporter would post to the real OpenAI host: traffic stays on loopback.
setTracingDisabled(true);

const weather = tool({
  name: 'weather',
  description: 'The weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `sunny in ${city} ☀️`,
});

async function agentRun(origin: string, maxRetries = 0) {
  const provider = new OpenAIProvider({
    openAIClient: new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries }),
    useResponses: true,
  });
  const runner = new Runner({ modelProvider: provider, tracingDisabled: true });
  const agent = new Agent({
    name: 'forecaster',
    instructions: 'Answer briefly.',
    model: 'gpt-5-mini',
    tools: [weather],
  });
  const result = await runner.run(agent, 'Weather in Oslo?', { stream: true });
  const deltas: string[] = [];
  for await (const delta of result.toTextStream()) deltas.push(delta);
  await result.completed;
  const calls = result.newItems
    .filter((item) => item.type === 'tool_call_item')
    .map((item) => item.rawItem);
  return { output: result.finalOutput, deltas: deltas.join(''), calls };
}

let cassette: string;
let plain: Awaited<ReturnType<typeof agentRun>>;
const DEAD = 'http://127.0.0.1:9';

beforeAll(async () => {
  const up = await startFakeUpstream();
  up.reply((req) =>
    JSON.stringify(req.body ?? {}).includes('function_call_output')
      ? { kind: 'text', text: 'It is sunny in Oslo — 晴れ ☀️.' }
      : { kind: 'tool', calls: [{ name: 'weather', arguments: { city: 'Oslo' } }] },
  );
  cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-agents-chaos-')), 'agent.rpk');
  try {
    await record({ cassette, mode: 'record' }, () => agentRun(up.url));
    expect(up.received).toHaveLength(2);
  } finally {
    await up.close();
  }
  plain = (await record({ cassette, mode: 'replay' }, () => agentRun(DEAD))).value;
  expect(plain.output).toBe('It is sunny in Oslo — 晴れ ☀️.');
  expect(plain.calls).toHaveLength(1);
});

const replay = (chaos: ChaosOptions, retries = 0) =>
  record({ cassette, mode: 'replay', chaos }, () => agentRun(DEAD, retries));

describe('chaos replay with @openai/agents', () => {
  test('every re-chunking gives the same tool loop, output and deltas (property over seeds)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.constantFrom<ChaosOptions['chunking']>('random', 'byte', 3),
        async (seed, chunking) => {
          const { value, exchanges } = await replay({ seed, chunking, latencyMs: [0, 1] });
          expect(value).toEqual(plain);
          expect(exchanges).toBe(2);
        },
      ),
      { numRuns: 12 },
    );
  });

  test('status 429 on each first attempt: the client retries and the run completes', async () => {
    const failed = await replay({ seed: 4, status: 429 }).catch((e: unknown) => e);
    expect((failed as { status?: number }).status).toBe(429);
    const retried = await replay({ seed: 4, status: 429 }, 2);
    expect(retried.value).toEqual(plain);
  });

  test('a cut stream fails the run', async () => {
    await expect(replay({ seed: 5, cutAfterEvents: 3 })).rejects.toThrow();
  });
});
