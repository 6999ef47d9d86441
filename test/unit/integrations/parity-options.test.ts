/**
 * The runners' `expectReplayParity` and `toReplayWithParity` compare the way the per-test scopes
 * match: the plugin's (or Jest setup's) `ignorePaths` reach parity (issue 13, symptom 3), and an
 * explicit third argument overrides them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parityOptions } from '../../../integrations/shared/options.ts';
import { configureParity, expectReplayParity } from '../../../integrations/shared/parity.ts';
import { ReplayDivergenceError, record } from '../../../src/index.ts';
import { startFakeUpstream } from '../../support/fake-upstream/index.ts';

let dir: string;
let cassette: string;
let baseURL: string;

const chat = (trace: string) => async () => {
  const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL, maxRetries: 0 });
  await openai.chat.completions.create({
    model: 'gpt-4.1',
    messages: [{ role: 'user', content: 'hi' }],
    metadata: { trace_id: trace },
  });
};

beforeAll(async () => {
  const up = await startFakeUpstream();
  baseURL = `${up.url}/v1`;
  dir = mkdtempSync(path.join(tmpdir(), 'rk-parity-options-'));
  cassette = path.join(dir, 'chat.rpk');
  await record({ cassette, mode: 'record' }, chat('run-1'));
  await up.close();
});
afterAll(() => {
  configureParity({});
  rmSync(dir, { recursive: true, force: true });
});

test('the configured ignorePaths reach parity; an explicit option overrides them', async () => {
  configureParity({});
  await expect(expectReplayParity(cassette, chat('run-2'))).rejects.toThrow(ReplayDivergenceError);
  configureParity(parityOptions({ ignorePaths: ['body.metadata.trace_id'], autoCassette: true }));
  await expect(expectReplayParity(cassette, chat('run-2'))).resolves.toBeUndefined();
  await expect(expectReplayParity(cassette, chat('run-2'), {})).rejects.toThrow(
    'First difference: body.metadata.trace_id: expected "run-1" but got "run-2"',
  );
});
