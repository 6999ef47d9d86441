/**
 * The leak gate, through a real detached listener: planted secrets (split across SSE deltas, in a
 * query string, in a tool result, in an environment variable of the listener process) travel
 * through it, and none may reach the artifact or the listener log, with `--capture full` too,
 * which must warn in the CLI output, in `listen status` and in the run header.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { CAPTURE_FULL_WARNING } from '../../../src/redaction/index.ts';
import { replaypack } from '../../support/cli.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { findLeaks, PLANTED, plantedEnv } from '../redaction/gate.ts';

let dir: string;
let up: FakeUpstream;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-lgate-'));
  up = await startFakeUpstream();
});
afterEach(async () => {
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Anthropic SSE whose text deltas cut the planted key in three. */
function splitSecretStream(): string[] {
  const key = PLANTED.sseSplit;
  const pieces = ['Your key is ', key.slice(0, 9), key.slice(9, 25), `${key.slice(25)}, keep it.`];
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
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...pieces.map((text) =>
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    ),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } }),
    ev('message_stop', {}),
  ];
}

test.each(['minimal', 'full'])(
  'no planted secret reaches the artifact or the log (--capture %s)',
  async (capture) => {
    const home = join(dir, 'home');
    const env = { REPLAYKIT_HOME: home, ...plantedEnv() };
    const started = await replaypack(
      [
        'listen',
        'start',
        '--port',
        '0',
        '--out',
        join(dir, 'out'),
        '--capture',
        capture,
        '--upstream',
        `anthropic=${up.url}`,
        '--upstream',
        `gemini=${up.url}`,
        '--upstream',
        `openai=${up.url}`,
      ],
      { env },
    );
    expect(started.exitCode).toBe(0);
    const full = capture === 'full';
    expect(started.stderr.includes(CAPTURE_FULL_WARNING)).toBe(full);
    const url = /Listener running at (\S+)/.exec(started.stdout)?.[1];
    const artifact = /artifact\s+(\S+\.rpk)/.exec(started.stdout)?.[1] as string;
    try {
      up.enqueue({
        kind: 'raw',
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        chunks: splitSecretStream(),
      });
      const streamed = await fetch(`${url}/v1/messages`, {
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
          messages: [{ role: 'user', content: `deploy with ${PLANTED.env.value}` }],
        }),
      });
      // The app gets the bytes unchanged: redaction is for the artifact only.
      expect(await streamed.text()).toContain(PLANTED.sseSplit.slice(9, 25));
      await (
        await fetch(`${url}/v1beta/models/gemini-test:generateContent?key=${PLANTED.query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
        })
      ).text();
      await (
        await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk-test-FAKE', 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'gpt-test',
            messages: [
              {
                role: 'assistant',
                tool_calls: [
                  {
                    id: 'call_1',
                    type: 'function',
                    function: { name: 'read_env', arguments: '{}' },
                  },
                ],
              },
              { role: 'tool', tool_call_id: 'call_1', content: `GH=${PLANTED.toolResult}` },
            ],
          }),
        })
      ).text();
      // A body labelled gzip that is not: the decode fault names the request URL, `?key=` and all.
      up.enqueue({
        kind: 'raw',
        status: 200,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        chunks: ['not gzip at all'],
      });
      // node:http, not fetch: it does not inflate, so it reads the bad body to its end (Node 22's
      // fetch never settles on a body that fails to inflate). Only the artifact matters here.
      await new Promise<void>((resolve) => {
        const req = request(
          `${url}/v1beta/models/gemini-test:generateContent?key=${PLANTED.query}`,
          { method: 'POST', headers: { 'content-type': 'application/json' } },
          (res) =>
            res
              .resume()
              .on('end', resolve)
              .on('error', () => resolve()),
        );
        req.on('error', () => resolve());
        req.end(JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'gz' }] }] }));
      });
      const status = await replaypack(['listen', 'status', '--json'], { env });
      expect(JSON.parse(status.stdout).warnings.includes(CAPTURE_FULL_WARNING)).toBe(full);
    } finally {
      expect((await replaypack(['listen', 'stop'], { env })).exitCode).toBe(0);
    }
    const cassette = await loadCassette(artifact);
    expect(cassette.header.redaction.warning === CAPTURE_FULL_WARNING).toBe(full);
    expect(cassette.steps.filter((s) => s.type === 'model.response')).toHaveLength(4);
    expect(cassette.steps.some((s) => s.type === 'error.event' && s.source === 'capture')).toBe(
      true,
    );
    expect(await findLeaks([artifact, join(home, 'listener.log')])).toEqual([]);
  },
);
