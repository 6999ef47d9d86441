/**
 * A failing parity check leaves the conversation-level HTML diff where test reports go and names
 * it in the failure message (issue 19 item 2), through the assertion the Vitest and Jest
 * integrations wire in. Real SDK clients, the fake upstream only while recording.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectReplayParity } from '../../../integrations/shared/parity.ts';
import { ReplayDivergenceError } from '../../../src/replay/divergence.ts';
import type { DiffData } from '../../../src/viewer/page-data.ts';
import { recordSdkCassette } from '../replay/fixtures.ts';

let dir: string;
let sdk: { file: string; origin: string };
const previous = process.env.REPLAYKIT_REPORT_DIR;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rk-parity-diff-'));
  process.env.REPLAYKIT_REPORT_DIR = path.join(dir, 'reports');
  sdk = await recordSdkCassette(dir);
});
afterAll(() => {
  if (previous === undefined) delete process.env.REPLAYKIT_REPORT_DIR;
  else process.env.REPLAYKIT_REPORT_DIR = previous;
});

function pageOf(message: string): { file: string; data: DiffData } {
  const file = /\n {2}HTML diff: (.+)$/.exec(message)?.[1];
  expect(file, message).toBeDefined();
  const html = readFileSync(path.resolve(file!), 'utf8');
  const json = /<script type="application\/json" id="rk-data">(.*?)<\/script>/s.exec(html)![1]!;
  return { file: path.resolve(file!), data: JSON.parse(json) as DiffData };
}

describe('a failing expectReplayParity writes the HTML diff and prints its path', () => {
  test('a run that sends another tool result: the page shows that exchange changed, at its path', async () => {
    const openai = new OpenAI({
      apiKey: 'sk-test-FAKE',
      baseURL: `${sdk.origin}/v1`,
      maxRetries: 0,
    });
    const run = async () => {
      const first = await openai.responses
        .stream({ model: 'gpt-5-mini', input: 'Weather in Paris?' })
        .finalResponse();
      const call = first.output.find((item) => item.type === 'function_call');
      await openai.responses.create({
        model: 'gpt-5-mini',
        input: [
          { role: 'user', content: 'Weather in Paris?' },
          ...(call ? [call] : []),
          { type: 'function_call_output', call_id: call?.call_id ?? 'none', output: '12 °C' },
        ],
      });
    };
    const error = await expectReplayParity(sdk.file, run).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayDivergenceError);
    const message = (error as Error).message;
    expect(message).toContain('expected "11 °C" but got "12 °C"');
    const { file, data } = pageOf(message);
    expect(path.dirname(file)).toBe(path.join(dir, 'reports'));
    expect(path.basename(file)).toMatch(/^sdk-[0-9a-f]{6}\.diff\.html$/);
    expect(data.equal).toBe(false);
    expect(data.first?.message).toContain('expected "11 °C" but got "12 °C"');
    expect(data.first?.path).toBe('body.input[2].output');
    const changed = data.exchanges.find((x) => x.status === 'changed');
    expect(changed).toMatchObject({ a: 1, b: 1, provider: 'openai', endpoint: 'responses' });
    const turn = changed!.turns.find((t) => t.status === 'changed');
    expect(turn?.ops).toEqual(
      expect.arrayContaining([
        ['-', '11'],
        ['+', '12'],
      ]),
    );
  });

  test('a self-replay that diverges (an edited answer) writes one too', async () => {
    const lines = readFileSync(sdk.file, 'utf8').trimEnd().split('\n');
    const tampered = lines
      .filter((line) => !line.includes('"run.seal"'))
      .map((line) =>
        line.includes('"type":"model.response"') && line.includes('Hello from the fake upstream.')
          ? line.replace('Hello from the fake upstream.', 'Goodbye from the fake upstream.')
          : line,
      );
    const file = path.join(dir, 'tampered.rpk');
    writeFileSync(file, `${tampered.join('\n')}\n`);
    const error = await expectReplayParity(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayDivergenceError);
    const { file: page, data } = pageOf((error as Error).message);
    expect(existsSync(page)).toBe(true);
    expect(data.first?.path).toBe('assembled.text');
    expect(data.a.file).toContain('tampered.rpk');
    expect(data.b.file).toBe('this run');
  });
});
