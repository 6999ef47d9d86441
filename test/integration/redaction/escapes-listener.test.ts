/**
 * Issue 14 item 1 through a real detached listener: Anthropic streams whose tool input
 * (`input_json_delta`) holds nested JSON with planted secrets after escapes, cut into deltas and
 * network chunks at random points, and requests carrying an MCP tool output holding nested JSON.
 * The app gets the bytes unchanged; the artifact holds none of the secrets, and every string that
 * held JSON still parses at every level.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { replaypack } from '../../support/cli.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { leaked, type Planted, parseDeep, plantedDoc, splitAt } from '../../support/planted.ts';

let dir: string;
let up: FakeUpstream;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-lescapes-'));
  up = await startFakeUpstream();
});
afterAll(async () => {
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

function toolUseStream(pieces: string[]): string {
  const ev = (type: string, data: object) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return [
    ev('message_start', {
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [],
        stop_reason: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      },
    }),
    ev('content_block_start', {
      index: 0,
      content_block: { type: 'tool_use', id: 'toolu_1', name: 'mcp', input: {} },
    }),
    ...pieces.map((partial_json) =>
      ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json } }),
    ),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } }),
    ev('message_stop', {}),
  ].join('');
}

test('no planted secret reaches the listener artifact, and nested JSON still parses', async () => {
  const home = join(dir, 'home');
  const env = { REPLAYKIT_HOME: home };
  const started = await replaypack(
    [
      'listen',
      'start',
      '--port',
      '0',
      '--out',
      join(dir, 'out'),
      '--upstream',
      `anthropic=${up.url}`,
    ],
    { env },
  );
  expect(started.exitCode).toBe(0);
  const url = /Listener running at (\S+)/.exec(started.stdout)?.[1];
  const artifact = /artifact\s+(\S+\.rpk)/.exec(started.stdout)?.[1] as string;
  const cases = fc.sample(
    fc.tuple(
      plantedDoc(3),
      plantedDoc(3),
      fc.array(fc.nat(), { maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 20 }),
    ),
    { seed: 14, numRuns: 8 },
  );
  const planted: Planted[] = [];
  try {
    for (const [input, output, deltaCuts, byteCuts] of cases) {
      up.enqueue({
        kind: 'raw',
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        chunks: splitAt(toolUseStream(splitAt(input.json, deltaCuts)), byteCuts),
      });
      const res = await fetch(`${url}/v1/messages`, {
        method: 'POST',
        headers: {
          'x-api-key': 'sk-ant-test-FAKE',
          'anthropic-version': '2023-06-01',
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          model: 'claude-test',
          max_tokens: 9,
          stream: true,
          messages: [
            {
              role: 'user',
              content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: output.json }],
            },
          ],
        }),
      });
      // The app gets the bytes unchanged: redaction is for the artifact only.
      expect(await res.text()).toBe(toolUseStream(splitAt(input.json, deltaCuts)));
      planted.push(...input.planted, ...output.planted);
    }
  } finally {
    expect((await replaypack(['listen', 'stop'], { env })).exitCode).toBe(0);
  }
  const written = readFileSync(artifact, 'utf8');
  expect(leaked(written, planted).map((p) => p.detector)).toEqual([]);
  const cassette = await loadCassette(artifact);
  const responses = cassette.steps.filter((s) => s.type === 'model.response');
  expect(responses).toHaveLength(cases.length);
  for (const step of cassette.steps) {
    // Whole documents only: each `partial_json` delta alone is a fragment, their join is not.
    if (step.type === 'model.request') expect(() => parseDeep(step.body)).not.toThrow();
    if (step.type !== 'model.response') continue;
    const joined = step.stream!.events.map((e) => {
      const d = e.data as { delta?: { partial_json?: string } };
      return d.delta?.partial_json ?? '';
    });
    expect(() => parseDeep(JSON.parse(joined.join('')))).not.toThrow();
    expect(() => parseDeep(step.assembled)).not.toThrow();
  }
});
