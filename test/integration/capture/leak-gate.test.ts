/**
 * The leak gate on the SDK path (issue 7): secrets planted where leaks happen — one split across
 * SSE deltas, one in a Gemini `?key=` query string, one in a tool result, one known only from the
 * environment — recorded through `record()` with the real SDK, then replayed with a changed
 * request. None may reach the cassette, the divergence report or anything written to the console.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import WebSocket from 'ws';
import { record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { findLeaks, PLANTED, plantedEnv } from '../redaction/gate.ts';

let up: FakeUpstream;
let dir: string;
beforeAll(async () => {
  up = await startFakeUpstream();
  dir = mkdtempSync(path.join(tmpdir(), 'rk-sdk-gate-'));
});
afterAll(() => up.close());

/** A Chat stream whose answer carries `PLANTED.sseSplit` cut across three deltas. */
function splitStream() {
  const answer = `Your deploy key is ${PLANTED.sseSplit}; keep it safe.`;
  const cut = answer.indexOf(PLANTED.sseSplit);
  const pieces = [
    answer.slice(0, cut + 6),
    answer.slice(cut + 6, cut + 20),
    answer.slice(cut + 20),
  ];
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return {
    kind: 'raw' as const,
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    chunks: [...pieces.map((content) => chunk({ content })), chunk({}, 'stop'), 'data: [DONE]\n\n'],
  };
}

async function conversation(origin: string, question: string) {
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries: 0 });
  const messages = [
    { role: 'user' as const, content: `${question} Deploy with ${PLANTED.env.value}.` },
    {
      role: 'assistant' as const,
      content: null,
      tool_calls: [
        { id: 't1', type: 'function' as const, function: { name: 'read_token', arguments: '{}' } },
      ],
    },
    { role: 'tool' as const, tool_call_id: 't1', content: `token: ${PLANTED.toolResult}` },
  ];
  let text = '';
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages,
    stream: true,
  });
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  const gemini = await fetch(
    `${origin}/v1beta/models/gemini-2.5-flash:generateContent?key=${PLANTED.query}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: question }] }] }),
    },
  );
  return { text, gemini: gemini.status };
}

test('no planted secret reaches the cassette, the divergence report or the console', async () => {
  const env = { ...process.env, ...plantedEnv() };
  const cassette = path.join(dir, 'gate.rpk');
  const logged: string[] = [];
  const capture = (stream: NodeJS.WriteStream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      logged.push(String(chunk));
      return true;
    });
  const spies = [capture(process.stdout), capture(process.stderr)];
  let recorded: Awaited<ReturnType<typeof conversation>>;
  let divergence: string;
  try {
    up.enqueue(splitStream());
    recorded = (
      await record({ cassette, mode: 'record', redact: { env } }, () =>
        conversation(up.url, 'Ship it?'),
      )
    ).value;
    const replay = await record({ cassette, mode: 'replay', redact: { env } });
    const changed = await conversation(up.url, 'Ship it now?').catch((e: Error) => e.message);
    const result = await replay.stop();
    divergence = result.divergences.map((d) => d.message).join('\n');
    logged.push(String(typeof changed === 'string' ? changed : ''));
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  // The run really carried every secret: the client saw the split one whole.
  expect(recorded.text).toContain(PLANTED.sseSplit);
  expect(recorded.gemini).toBe(200);
  const sent = JSON.stringify(up.received.map((r) => [r.url, r.bodyText]));
  const planted = [PLANTED.query, PLANTED.toolResult, PLANTED.env.value].map((s) =>
    sent.includes(s),
  );
  expect(planted).toEqual([true, true, true]);
  expect(divergence).toContain('First difference: body.messages[0].content');
  const report = path.join(dir, 'report.txt');
  writeFileSync(report, `${divergence}\n${logged.join('')}`);
  expect(await findLeaks([cassette, report])).toEqual([]);
});

test('a refused provider socket opened with ?key= leaves the key out of the cassette and the error', async () => {
  // Gemini Live takes its key in the query string; on a host replaykit already saw provider
  // traffic on, the socket is refused and its URL lands in an error step (reviewer's finding 1).
  const cassette = path.join(dir, 'live.rpk');
  up.enqueue({ kind: 'text', text: 'hello' });
  const rec = await record({ cassette, mode: 'record' });
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
  await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });
  const live = new WebSocket(
    `${up.url.replace('http', 'ws')}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=${PLANTED.query}`,
  );
  const [, res] = (await once(live, 'unexpected-response')) as [
    unknown,
    { statusCode: number; resume(): void },
  ];
  res.resume();
  // ws reports terminating a refused handshake as an 'error' event, which throws without a listener.
  live.on('error', () => undefined);
  live.terminate();
  const stopped = await rec.stop().then(
    () => null,
    (error: unknown) => error as Error,
  );
  expect(res.statusCode).toBe(500);
  expect(stopped?.message).toContain('BidiGenerateContent');
  const steps = (await readFile(cassette, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(steps.some((s) => s.type === 'error.event')).toBe(true);
  const report = path.join(dir, 'live-error.txt');
  writeFileSync(report, `${stopped?.message}\n${String((stopped?.cause as Error)?.message)}`);
  expect(await findLeaks([cassette, report])).toEqual([]);
});
