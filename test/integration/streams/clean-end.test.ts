/**
 * Issue 14 item 4: a stream the server ended cleanly without a terminal event is told apart from a
 * reset connection and replays as a clean end; `stream.open` keeps the same minimised headers as
 * the closing `model.response`.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let dir: string;
beforeAll(async () => {
  up = await startFakeUpstream();
  dir = mkdtempSync(path.join(tmpdir(), 'rk-clean-end-'));
});
afterAll(() => up.close());

const openai = () => new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });

const ev = (type: string, rest: object) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...rest })}\n\n`;
const response = {
  id: 'resp_1',
  object: 'response',
  status: 'in_progress',
  model: 'gpt-5',
  output: [],
};
/** A Responses stream the server closes cleanly before any terminal event. */
const CHUNKS = [
  ev('response.created', { sequence_number: 0, response }),
  ev('response.output_text.delta', {
    sequence_number: 1,
    item_id: 'msg_1',
    output_index: 0,
    content_index: 0,
    delta: 'Hello',
  }),
];

async function run(): Promise<string[]> {
  const stream = await openai().responses.create({ model: 'gpt-5', input: 'hi', stream: true });
  const types: string[] = [];
  for await (const event of stream) types.push(event.type);
  return types;
}

describe('a stream that ended without a terminal event', () => {
  test('replays as a clean end, as it ended live', async () => {
    const cassette = path.join(dir, 'clean.rpk');
    up.reset();
    up.enqueue({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      chunks: CHUNKS,
    });
    const live = await record({ cassette, mode: 'record' }, run);
    expect(live.value).toEqual(['response.created', 'response.output_text.delta']);
    up.reset();
    up.reply(() => ({ kind: 'error', status: 500, message: 'the upstream must not be called' }));
    const replayed = await record({ cassette, mode: 'replay' }, run);
    expect(up.received).toHaveLength(0);
    expect(replayed.value).toEqual(live.value);
  });

  test('a reset connection still replays as a reset', async () => {
    const cassette = path.join(dir, 'reset.rpk');
    up.reset();
    up.enqueue({ kind: 'disconnect', afterEvents: 2 });
    await expect(record({ cassette, mode: 'record' }, run)).rejects.toThrow();
    up.reset();
    await expect(record({ cassette, mode: 'replay' }, run)).rejects.toThrow(/terminated/);
  });
});

describe('stream.open', () => {
  test('keeps the same minimised headers as the closing model.response', async () => {
    const cassette = path.join(dir, 'headers.rpk');
    up.reset();
    up.enqueue({ kind: 'text', text: 'one two' });
    await record({ cassette, mode: 'record' }, run);
    const lines = readFileSync(cassette, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; headers?: Record<string, string> });
    const open = lines.find((l) => l.type === 'stream.open');
    const closing = lines.find((l) => l.type === 'model.response');
    expect(open?.headers).toBeDefined();
    expect(open?.headers).not.toHaveProperty('date');
    expect(open?.headers).not.toHaveProperty('connection');
    expect(open?.headers).toEqual(closing?.headers);
  });
});
