/**
 * Issue 14 item 3: a terminal-looking event is not the end of the stream. OpenAI sends `error` and
 * then `response.failed`; the recording must keep reading until the server closes, keep every
 * event after the first terminal one, and replay every byte the client read live.
 */
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readCassette } from '../../../src/cassette/reader.ts';
import { record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
let dir: string;
beforeAll(async () => {
  up = await startFakeUpstream();
  dir = mkdtempSync(path.join(tmpdir(), 'rk-terminal-'));
});
afterAll(() => up.close());

const response = (status: string) => ({
  id: 'resp_1',
  object: 'response',
  status,
  model: 'gpt-5',
  output: [],
  error: status === 'failed' ? { code: 'server_error', message: 'boom' } : null,
});

/** OpenAI's real failure tail: `error`, then `response.failed`, each its own write. */
const CHUNKS = [
  `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: response('in_progress') })}\n\n`,
  `event: response.in_progress\ndata: ${JSON.stringify({ type: 'response.in_progress', sequence_number: 1, response: response('in_progress') })}\n\n`,
  `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: 2, code: 'server_error', message: 'boom', param: null })}\n\n`,
  `event: response.failed\ndata: ${JSON.stringify({ type: 'response.failed', sequence_number: 3, response: response('failed') })}\n\n`,
];

const BODY = JSON.stringify({ model: 'gpt-5', input: 'hi', stream: true });

async function viaFetch(origin: string): Promise<string> {
  const res = await fetch(`${origin}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-FAKE' },
    body: BODY,
  });
  return res.text();
}

function viaHttp(origin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${origin}/v1/responses`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-FAKE' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve(text));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

describe.each([
  ['fetch', viaFetch],
  ['node:http', viaHttp],
])('%s: events after a terminal-looking one', (name, client) => {
  test('are recorded, stored as failed, and replayed byte for byte', async () => {
    const cassette = path.join(dir, `${name.replace(':', '-')}.rpk`);
    up.reset();
    up.enqueue({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      chunks: CHUNKS,
      delayMs: 15,
    });
    const live = await record({ cassette, mode: 'record' }, () => client(up.url));
    expect(live.value).toBe(CHUNKS.join(''));

    const { steps } = await readCassette(cassette);
    const closing = steps.find((s) => s.type === 'model.response');
    expect(closing?.type === 'model.response' && closing.stream?.events.length).toBe(4);
    expect(closing?.type === 'model.response' && closing.assembled?.stop_reason).toBe('failed');

    up.reset();
    up.reply(() => ({ kind: 'error', status: 500, message: 'the upstream must not be called' }));
    const replayed = await record({ cassette, mode: 'replay' }, () => client(up.url));
    expect(up.received).toHaveLength(0);
    expect(replayed.value).toBe(live.value);
  });
});
