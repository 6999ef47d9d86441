/**
 * The gate, module level: a recording of every provider's shapes with the four planted secrets,
 * redacted as the recorder will redact it, written as a cassette and a log. It fails if any
 * planted secret reaches either file. The recorder and listener add their end-to-end runs here.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { StepInput, StreamEvent } from '../../../src/cassette/schema.ts';
import { createRedactor } from '../../../src/redaction/index.ts';
import { replaypack } from '../../support/cli.ts';
import { DELTA_SHAPES } from '../../unit/redaction/shapes.ts';
import { findLeaks, PLANTED, plantedEnv } from './gate.ts';

const base = { correlation_id: 'c1', offset_ms: 0 };

/** A recording per delta shape: request with `?key=` and env value, split stream, tool round trip. */
function recording(shape: (typeof DELTA_SHAPES)[number]): StepInput[] {
  const answer = `Your deploy key is ${PLANTED.sseSplit}; keep it safe.`;
  const cut = answer.indexOf(PLANTED.sseSplit);
  const pieces = [
    answer.slice(0, cut + 5),
    answer.slice(cut + 5, cut + 17),
    answer.slice(cut + 17, cut + 40),
    answer.slice(cut + 40),
  ];
  const events: StreamEvent[] = pieces.map((p, i) => shape.make(p, i));
  const common = { ...base, provider: 'gemini' as const, endpoint: 'streamGenerateContent' };
  return [
    {
      ...common,
      type: 'model.request',
      method: 'POST',
      url: `/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=${PLANTED.query}`,
      transport: 'http',
      stream: true,
      headers: { 'content-type': 'application/json' },
      body: { contents: [{ role: 'user', parts: [{ text: `deploy with ${PLANTED.env.value}` }] }] },
    },
    {
      ...common,
      type: 'model.response',
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      stream: { format: 'sse', state: 'completed', events },
      assembled: { text: answer, tool_calls: [] },
    },
    {
      ...common,
      type: 'tool.request',
      call_id: 't1',
      name: 'read_env',
      kind: 'function',
      arguments: {},
    },
    {
      ...common,
      type: 'tool.response',
      call_id: 't1',
      kind: 'function',
      output: { stdout: `GH=${PLANTED.toolResult}\n` },
    },
    {
      ...common,
      type: 'model.request',
      method: 'POST',
      url: '/v1beta/models/gemini-2.5-flash:generateContent',
      transport: 'http',
      stream: false,
      headers: {},
      body: {
        contents: [
          {
            role: 'function',
            parts: [{ functionResponse: { response: { output: PLANTED.toolResult } } }],
          },
        ],
      },
    },
  ] as StepInput[];
}

/** Writes a cassette the way the writer does (stream events on their own lines) and a log. */
async function record(dir: string, redact: boolean): Promise<string[]> {
  const r = createRedactor({ env: plantedEnv() });
  const rpk = join(dir, 'run.rpk');
  const log = join(dir, 'run.log');
  await writeFile(rpk, `${JSON.stringify({ type: 'run.header', redaction: r.policy })}\n`);
  await writeFile(log, '');
  for (const shape of DELTA_SHAPES) {
    for (const step of recording(shape)) {
      if (step.type === 'model.response' && step.stream) {
        // The incremental path: events written as they are released, split secret and all.
        const s = r.stream();
        const held = step.stream.events.flatMap((e) => (redact ? s.push(e) : [e]));
        const released = [...held, ...(redact ? s.flush() : [])];
        for (const e of released)
          await appendFile(rpk, `${JSON.stringify({ type: 'stream.event', ...e })}\n`);
      }
      await appendFile(rpk, `${JSON.stringify(redact ? r.step(step) : step)}\n`);
      const line = `request ${step.type} ${'url' in step ? step.url : ''} failed: Invalid API key ${PLANTED.env.value}`;
      await appendFile(log, `${redact ? r.text(line) : line}\n`);
    }
  }
  return [rpk, log];
}

let dir: string;
let redacted: string[];
let raw: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rk-gate-'));
  redacted = await record(await mkdtemp(join(dir, 'redacted-')), true);
  raw = await record(await mkdtemp(join(dir, 'raw-')), false);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('leak gate', () => {
  test('no planted secret reaches the cassette or the log', async () => {
    expect(await findLeaks(redacted)).toEqual([]);
  });

  test('the gate can fail: without redaction it reports all four planted secrets', async () => {
    const leaks = await findLeaks(raw);
    expect(new Set(leaks.map((l) => l.planted))).toEqual(
      new Set(['sseSplit', 'query', 'toolResult', 'env']),
    );
  });

  test('replaypack scan agrees: the redacted artifacts are clean, the raw ones are not', async () => {
    const env = plantedEnv();
    // Globs are POSIX patterns: run from the directory so the test holds on Windows too.
    const clean = await replaypack(['scan', 'redacted-*/*'], { env, cwd: dir });
    expect(clean.stderr).toContain('No secrets found in 2 file(s)');
    expect(clean.exitCode).toBe(0);
    const dirty = await replaypack(['scan', '--json', 'raw-*/*'], { env, cwd: dir });
    expect(dirty.exitCode).toBe(1);
    const detectors = new Set(
      (JSON.parse(dirty.stdout).findings as { detector: string }[]).map((f) => f.detector),
    );
    expect(detectors).toEqual(
      new Set(['google-api-key', 'openai-key', 'github-token', `env:${PLANTED.env.name}`]),
    );
  });
});
