/**
 * Issue 14 item 1 through the real capture path: the OpenAI SDK against the fake upstream, under
 * `record()`. A tool call streams arguments holding nested JSON with planted secrets, cut into
 * deltas and into network chunks at random points; the next request carries a tool output (an MCP
 * call's `output`) holding nested JSON too. No planted secret may reach the cassette; replayed, the
 * client gets arguments that parse at every level and equal the redacted live ones; and
 * `replaypack scan` finds every planted secret in a file that holds them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { record } from '../../../src/index.ts';
import { createRedactor } from '../../../src/redaction/index.ts';
import { replaypack } from '../../support/cli.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { leaked, type Planted, parseDeep, plantedDoc, splitAt } from '../../support/planted.ts';

let up: FakeUpstream;
let dir: string;
beforeAll(async () => {
  up = await startFakeUpstream();
  dir = mkdtempSync(path.join(tmpdir(), 'rk-escapes-'));
});
afterAll(() => up.close());

/** A Chat stream whose one tool call's arguments arrive as `pieces`, its bytes cut at `cuts`. */
function toolStream(pieces: string[], cuts: number[]) {
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const call = (args: string, i: number) => ({
    tool_calls: [
      {
        index: 0,
        ...(i === 0
          ? { id: 'call_1', type: 'function', function: { name: 'mcp', arguments: args } }
          : { function: { arguments: args } }),
      },
    ],
  });
  const sse = [
    chunk({ role: 'assistant', content: null }),
    ...pieces.map((p, i) => chunk(call(p, i))),
    chunk({}, 'tool_calls'),
    'data: [DONE]\n\n',
  ].join('');
  return {
    kind: 'raw' as const,
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    chunks: splitAt(sse, cuts),
  };
}

/** The app: sends an MCP tool output, streams the next tool call, returns its arguments. */
async function app(toolOutput: string): Promise<string> {
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [
      { role: 'user', content: 'Look it up.' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't1', type: 'function', function: { name: 'mcp', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 't1', content: toolOutput },
    ],
  });
  let args = '';
  for await (const c of stream)
    args += c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
  return args;
}

const redact = { env: {} };
const redactor = createRedactor(redact);
/** Lines of a file that holds every planted secret whole, with what scan must name on each. */
const holding: { line: string; planted: Planted[] }[] = [];

test('recorded through record(): no planted secret reaches the cassette; replay parses and equals the redacted live arguments', async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      plantedDoc(3),
      plantedDoc(3),
      fc.array(fc.nat(), { maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 30 }),
      async (args, output, argCuts, byteCuts) => {
        const cassette = path.join(dir, `run-${n++}.rpk`);
        up.reset();
        up.enqueue(toolStream(splitAt(args.json, argCuts), byteCuts));
        const live = await record({ cassette, mode: 'record', redact }, () => app(output.json));
        // The run really carried every planted secret both ways.
        expect(live.value).toBe(args.json);
        const sentBody = up.received[0]?.bodyText ?? '';
        expect(sentBody).toContain(JSON.stringify(output.json).slice(1, -1));
        const planted = [...args.planted, ...output.planted];
        const written = readFileSync(cassette, 'utf8');
        expect(leaked(written, planted).map((p) => p.detector)).toEqual([]);

        up.reset();
        up.reply(() => ({
          kind: 'error',
          status: 500,
          message: 'replay must not reach the upstream',
        }));
        const replayed = await record({ cassette, mode: 'replay', redact }, () => app(output.json));
        expect(up.received).toHaveLength(0);
        expect(replayed.value).toBe(redactor.text(args.json));
        expect(() => parseDeep(JSON.parse(replayed.value))).not.toThrow();
        expect(leaked(replayed.value, args.planted)).toEqual([]);

        holding.push({ line: JSON.stringify({ arguments: args.json }), planted: args.planted });
        // The request body as the SDK sent it holds the tool output's secrets whole.
        holding.push({ line: sentBody, planted: output.planted });
      },
    ),
    { numRuns: 40 },
  );
});

test('replaypack scan finds every planted secret in a file that holds them, by detector and line', async () => {
  expect(holding.length).toBeGreaterThan(0);
  const file = path.join(dir, 'holding.jsonl');
  writeFileSync(file, `${holding.map((h) => h.line).join('\n')}\n`);
  const r = await replaypack(['scan', '--json', file], { env: {} });
  expect(r.exitCode).toBe(1);
  const findings = JSON.parse(r.stdout).findings as { line: number; detector: string }[];
  const missing = holding.flatMap((h, i) => {
    const named = new Set(findings.filter((f) => f.line === i + 1).map((f) => f.detector));
    return h.planted
      .filter((p) => !named.has(p.detector))
      .map((p) => `line ${i + 1}: ${p.detector}`);
  });
  expect(missing).toEqual([]);
  for (const h of holding) expect(leaked(r.stdout + r.stderr, h.planted)).toEqual([]);
});
