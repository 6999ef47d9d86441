/**
 * A replay that diverges inside `record()` (a per-test cassette, or a plain record() scope) leaves
 * the conversation-level HTML diff where test reports go and names it at the end of the error
 * (issue 19 item 2), as a failing expectReplayParity does. Real SDK clients; the fake upstream
 * only while recording.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { record } from '../../../src/capture/record.ts';
import { ReplayDivergenceError } from '../../../src/replay/divergence.ts';
import type { DiffData } from '../../../src/viewer/page-data.ts';
import { recordSdkCassette } from '../replay/fixtures.ts';

let dir: string;
let sdk: { file: string; origin: string };
const previous = process.env.REPLAYKIT_REPORT_DIR;
// A key pasted into a prompt: the cassette stores it redacted, and so must the page's live side.
const SECRET = 'sk-proj-Zx8Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8Lz0Xc';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rk-replay-diff-'));
  process.env.REPLAYKIT_REPORT_DIR = path.join(dir, 'reports');
  sdk = await recordSdkCassette(dir);
});
afterAll(() => {
  if (previous === undefined) delete process.env.REPLAYKIT_REPORT_DIR;
  else process.env.REPLAYKIT_REPORT_DIR = previous;
});

/** The run the cassette holds, with another tool result sent back on the second request. */
async function run(output: string): Promise<void> {
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${sdk.origin}/v1`, maxRetries: 0 });
  const first = await openai.responses
    .stream({ model: 'gpt-5-mini', input: 'Weather in Paris?' })
    .finalResponse();
  const call = first.output.find((item) => item.type === 'function_call');
  await openai.responses.create({
    model: 'gpt-5-mini',
    input: [
      { role: 'user', content: 'Weather in Paris?' },
      ...(call ? [call] : []),
      { type: 'function_call_output', call_id: call?.call_id ?? 'none', output },
    ],
  });
}

function pageOf(message: string): { file: string; html: string; data: DiffData } {
  const file = /\n {2}HTML diff: (.+)$/.exec(message)?.[1];
  expect(file, message).toBeDefined();
  const html = readFileSync(path.resolve(file!), 'utf8');
  const json = /<script type="application\/json" id="rk-data">(.*?)<\/script>/s.exec(html)![1]!;
  return { file: path.resolve(file!), html, data: JSON.parse(json) as DiffData };
}

describe('a replay divergence in record() writes the HTML diff and prints its path', () => {
  test('record(options, run): the error keeps its message and ends with the page, which shows the change', async () => {
    const error = await record({ cassette: sdk.file, mode: 'replay' }, () => run('12 °C')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReplayDivergenceError);
    const divergence = error as ReplayDivergenceError;
    // The rest of the message is what it was before the page existed.
    const plain = new ReplayDivergenceError(divergence.details).message;
    expect(divergence.message.startsWith(`${plain}\n  HTML diff: `)).toBe(true);
    expect(divergence.message).toContain('expected "11 °C" but got "12 °C"');
    const { file, data } = pageOf(divergence.message);
    expect(path.dirname(file)).toBe(path.join(dir, 'reports'));
    expect(path.basename(file)).toMatch(/^sdk-[0-9a-f]{6}\.diff\.html$/);
    expect(data.equal).toBe(false);
    expect(data.first?.path).toBe('body.input[2].output');
    // The first exchange was served as recorded; the second is the one the run changed.
    expect(data.exchanges[0]).toMatchObject({ status: 'same', a: 0, b: 0 });
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

  test('a secret in the live request is redacted in the page, as in the cassette', async () => {
    const error = await record({ cassette: sdk.file, mode: 'replay' }, () =>
      run(`12 °C, key ${SECRET}`),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayDivergenceError);
    const { html } = pageOf((error as Error).message);
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain(SECRET.slice(8));
    expect(html).toContain('12 °C, key ');
    expect((error as Error).message).not.toContain(SECRET);
  });

  test('await record(options) … stop(): the divergence in the result names the page', async () => {
    const recording = await record({ cassette: sdk.file, mode: 'replay' });
    await run('13 °C').catch(() => undefined);
    const result = await recording.stop();
    const first = result.divergences[0];
    expect(first).toBeInstanceOf(ReplayDivergenceError);
    const { file } = pageOf(first!.message);
    expect(existsSync(file)).toBe(true);
  });

  test('a page that cannot be written leaves the divergence as it was', async () => {
    const blocked = path.join(dir, 'not-a-folder');
    writeFileSync(blocked, 'a file where the report folder would go');
    process.env.REPLAYKIT_REPORT_DIR = blocked;
    try {
      const error = await record({ cassette: sdk.file, mode: 'replay' }, () => run('14 °C')).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ReplayDivergenceError);
      const divergence = error as ReplayDivergenceError;
      expect(divergence.message).toBe(new ReplayDivergenceError(divergence.details).message);
      expect(divergence.message).toContain('expected "11 °C" but got "14 °C"');
    } finally {
      process.env.REPLAYKIT_REPORT_DIR = path.join(dir, 'reports');
    }
  });
});
