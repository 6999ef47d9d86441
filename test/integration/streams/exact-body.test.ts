/**
 * Issue 14 item 2: JSON bodies replay to the byte too. A pretty-printed error body (as Gemini and
 * OpenAI send them) used to come back compact, and `\uXXXX` escapes as raw UTF-8.
 */
import { mkdtempSync } from 'node:fs';
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
  dir = mkdtempSync(path.join(tmpdir(), 'rk-exact-body-'));
});
afterAll(() => up.close());

const error = {
  error: {
    code: 400,
    message: 'Request contains an invalid argument.',
    status: 'INVALID_ARGUMENT',
  },
};

async function call(origin: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${origin}/v1beta/models/gemini-2.5-flash:generateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-test-FAKE' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
  });
  return { status: res.status, text: await res.text() };
}

describe.each([
  ['a pretty-printed error body', 400, `${JSON.stringify(error, null, 2)}\n`],
  [
    'a body with \\u escapes',
    200,
    '{"candidates":[{"content":{"parts":[{"text":"a \\u2014 b"}]}}]}',
  ],
  ['a body spaced as Python writes it', 200, '{"candidates": [{"index": 0}], "modelVersion": "x"}'],
])('%s', (name, status, body) => {
  test('replays byte for byte, stored parsed', async () => {
    const cassette = path.join(dir, `${name.replace(/\W+/g, '-')}.rpk`);
    up.reset();
    up.enqueue({
      kind: 'raw',
      status,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      chunks: [body],
    });
    const live = await record({ cassette, mode: 'record' }, () => call(up.url));
    expect(live.value).toEqual({ status, text: body });
    const { steps } = await readCassette(cassette);
    const response = steps.find((s) => s.type === 'model.response');
    expect(response?.type === 'model.response' && response.body).toEqual(JSON.parse(body));
    up.reset();
    up.reply(() => ({ kind: 'error', status: 500, message: 'the upstream must not be called' }));
    const replayed = await record({ cassette, mode: 'replay' }, () => call(up.url));
    expect(up.received).toHaveLength(0);
    expect(replayed.value).toEqual(live.value);
  });
});
