/**
 * Proves the FACTS.md claim the recorder is built on: an SDK client constructed before
 * interception starts (a module-level `new OpenAI()`) captures `fetch` at construction, so a
 * fetch-patching interceptor misses it, while the socket-level interceptor record() uses does not.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FetchInterceptor } from '@mswjs/interceptors/fetch';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let up: FakeUpstream;
// Module level, before any interceptor exists: the common case in apps.
let early: OpenAI;

beforeAll(async () => {
  up = await startFakeUpstream();
  early = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
});
afterAll(() => up.close());

const ask = () =>
  early.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });

test('fact: a fetch-patching interceptor applied after construction misses the early client', async () => {
  const fetchInterceptor = new FetchInterceptor();
  fetchInterceptor.apply();
  let seen = 0;
  fetchInterceptor.on('request', () => {
    seen++;
  });
  try {
    up.reset();
    await ask();
    expect(up.received).toHaveLength(1); // it reached the server
    expect(seen).toBe(0); // and the interceptor never saw it
  } finally {
    fetchInterceptor.dispose();
  }
});

test('record() captures and replays the early client anyway', async () => {
  const cassette = path.join(mkdtempSync(path.join(tmpdir(), 'rk-early-')), 'early.rpk');
  up.reset();
  const recorded = await record({ cassette, mode: 'record' }, ask);
  expect(recorded.exchanges).toBe(1);
  up.reset();
  const replayed = await record({ cassette, mode: 'replay' }, ask);
  expect(up.received).toHaveLength(0); // served from the cassette, not the server
  expect(replayed.value.choices[0]?.message.content).toBe(
    recorded.value.choices[0]?.message.content,
  );
});
