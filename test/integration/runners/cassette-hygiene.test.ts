/**
 * Issue 20 items 3-4 in a real Vitest run of the packed tarball: the end-of-run report lists the
 * cassettes under the cassette root that no test used (only where the test ran, or where its
 * test file is gone), `replaypack cassettes --unused [--delete]` works from the run's ledger and
 * refuses without one, `--stale DAYS` lists old recordings, and the report says how many tokens
 * were served from cassettes and what they would have cost live, per provider and in total.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { replaypack } from '../../support/cli.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { fixtureProject } from './package.ts';
import { runIn, VITEST } from './run.ts';

const CONFIG = `import { defineConfig } from 'vitest/config';
import { replaykit } from 'replaykit/vitest';

export default defineConfig({
  plugins: [replaykit({ autoCassette: true, prices: 'prices.json' })],
  test: { include: ['*.test.ts'] },
});
`;
// Made-up prices, so the expected cost is plain arithmetic: 1 per input token, 2 per output.
const PRICES = JSON.stringify({
  pricedAt: '2027-03-04',
  models: {
    'gpt-4o-mini': { provider: 'openai', input: 1_000_000, output: 2_000_000 },
    'claude-sonnet-4-6': { provider: 'anthropic', input: 1_000_000, output: 2_000_000 },
  },
});
const TEST = `import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { expect, test } from 'vitest';

const base = process.env.FAKE_URL;
const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: \`\${base}/v1\`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: base, maxRetries: 0 });

test('asks both', async () => {
  const chat = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  });
  expect(chat.choices[0]?.message.content).toBeTruthy();
  const msg = await anthropic.messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 64,
    messages: [{ role: 'user', content: 'hi' }],
  });
  expect(msg.content.length).toBeGreaterThan(0);
});
`;

const USED = 'cassettes/app.test.ts/asks-both.rpk';
const RENAMED = 'cassettes/app.test.ts/renamed-test.rpk';
const GONE = 'cassettes/deleted.test.ts/old-test.rpk';
const NOT_RUN = 'cassettes/other.test.ts/some-test.rpk';

let up: FakeUpstream;
let project: string;
let offline = '';

beforeAll(async () => {
  up = await startFakeUpstream();
  project = await fixtureProject('cassette-hygiene', {
    'package.json': '{ "name": "fixture", "private": true, "type": "module" }\n',
    'vitest.config.ts': CONFIG,
    'prices.json': PRICES,
    'app.test.ts': TEST,
    // A test file that exists but is left out of the run below: its cassettes are not judged.
    'other.test.ts': "import { test } from 'vitest';\ntest('some test', () => {});\n",
  });
}, 300_000);
afterAll(async () => {
  await up?.close().catch(() => {});
});

const at = (rel: string) => path.join(project, rel);
const cli = (args: string[]) => replaypack(args, { cwd: project });

describe('cassette hygiene and cost in a real vitest run', () => {
  test('cassettes --unused refuses before any run has left a ledger', async () => {
    const r = await cli(['cassettes', '--unused']);
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain(
      `[replaykit] Failed to list unused cassettes: no ledger of a test run in "${path.join(project, '.replaykit/last-run.json')}". Run your tests once with the Vitest plugin or the Jest reporter (autoCassette on, report on) from this folder, then try again.`,
    );
  });

  test('record, then a replay run reports unused cassettes and the tokens served with their cost', async () => {
    const recorded = await runIn(project, [...VITEST, 'app.test.ts'], {
      REPLAYKIT_MODE: 'record',
      FAKE_URL: up.url,
    });
    expect(recorded.exitCode, recorded.output).toBe(0);
    expect(existsSync(at(USED))).toBe(true);
    // Recording serves nothing from a cassette: no tokens line.
    expect(recorded.output).not.toContain('served from cassettes');
    for (const extra of [RENAMED, GONE, NOT_RUN]) {
      mkdirSync(path.dirname(at(extra)), { recursive: true });
      copyFileSync(at(USED), at(extra));
    }
    // Whatever the test's own token counts are, the cost follows from them and the prices file.
    const steps = readFileSync(at(USED), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const usages = steps
      .filter((s) => s.type === 'model.response')
      .map((s) => [s.provider, s.assembled.usage]);
    const openai = usages.find(([p]) => p === 'openai')?.[1];
    const anthropic = usages.find(([p]) => p === 'anthropic')?.[1];
    const openaiTokens = openai.prompt_tokens + openai.completion_tokens;
    const anthropicTokens = anthropic.input_tokens + anthropic.output_tokens;
    const openaiCost = openai.prompt_tokens + 2 * openai.completion_tokens;
    const anthropicCost = anthropic.input_tokens + 2 * anthropic.output_tokens;

    offline = up.url;
    await up.close();
    const replayed = await runIn(project, [...VITEST, 'app.test.ts'], {
      REPLAYKIT_MODE: 'replay',
      FAKE_URL: offline,
    });
    expect(replayed.exitCode, replayed.output).toBe(0);
    expect(replayed.output).toContain(
      [
        '[replaykit] cassettes: 1 used, 0 missing, 2 unused',
        `  replayed ${USED}`,
        `  unused   ${RENAMED}`,
        `  unused   ${GONE}`,
      ].join('\n'),
    );
    expect(replayed.output).not.toContain(NOT_RUN);
    const money = (n: number) => `$${n.toFixed(2)}`;
    const total = openaiTokens + anthropicTokens;
    expect(replayed.output).toContain(
      `[replaykit] served from cassettes: ${total.toLocaleString('en-US')} tokens (${(openai.prompt_tokens + anthropic.input_tokens).toLocaleString('en-US')} in, ${(openai.completion_tokens + anthropic.output_tokens).toLocaleString('en-US')} out), ${money(openaiCost + anthropicCost)} if live (prices of 2027-03-04)`,
    );
    expect(replayed.output).toContain(
      `  anthropic  ${anthropicTokens.toLocaleString('en-US')} tokens, ${money(anthropicCost)}`,
    );
    expect(replayed.output).toContain(
      `  openai     ${openaiTokens.toLocaleString('en-US')} tokens, ${money(openaiCost)}`,
    );
  }, 300_000);

  test('cassettes --unused lists what the run found unused; --delete removes only those', async () => {
    const listed = await cli(['cassettes', '--unused', '--json']);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const json = JSON.parse(listed.stdout) as { unused: { files: string[] } };
    expect(json.unused.files).toEqual([at(RENAMED), at(GONE)]);
    const deleted = await cli(['cassettes', '--unused', '--delete']);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain(`deleted ${GONE}`);
    expect(deleted.stdout).toContain('2 unused cassettes deleted');
    expect(existsSync(at(GONE))).toBe(false);
    expect(existsSync(at(RENAMED))).toBe(false);
    expect(existsSync(at(USED))).toBe(true);
    expect(existsSync(at(NOT_RUN))).toBe(true);
  });

  test('cassettes --stale DAYS lists recordings older than that, by their header date', async () => {
    const lines = readFileSync(at(NOT_RUN), 'utf8').split('\n');
    const header = JSON.parse(lines[0]!);
    header.created_at = '2020-01-02T03:04:05.000Z';
    writeFileSync(at(NOT_RUN), [JSON.stringify(header), ...lines.slice(1)].join('\n'));
    const r = await cli(['cassettes', '--stale', '90']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^stale   ${NOT_RUN} \\(recorded 2020-01-02, \\d+ days ago\\)$`, 'm'),
    );
    expect(r.stdout).not.toContain(USED);
    expect(r.stdout).toContain(
      '1 cassette recorded more than 90 days ago; re-record with REPLAYKIT_MODE=record',
    );
    const bad = await cli(['cassettes', '--stale', 'soon']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain(
      '[replaykit] Failed to run "replaypack cassettes": --stale takes a number of days, not "soon". For example --stale 90.',
    );
  });
});
