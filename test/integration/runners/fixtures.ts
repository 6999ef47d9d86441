/** Fixture project files shared by the runner tests. */

/** A Vitest project using the plugin with per-test cassettes. */
export const VITEST_CONFIG = `import { defineConfig } from 'vitest/config';
import { replaykit } from 'replaykit/vitest';

export default defineConfig({
  plugins: [replaykit({ autoCassette: true })],
  test: { include: ['*.test.ts'] },
});
`;

/** OpenAI Chat streaming; `PROMPT` changes the request, `ADDED` adds a test with no cassette. */
export const CHAT_TEST = `import OpenAI from 'openai';
import { expectReplayParity } from 'replaykit/vitest';
import { describe, expect, test } from 'vitest';

// Built at module level, before any cassette scope: the common case.
const openai = new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: \`\${process.env.FAKE_URL}/v1\`, maxRetries: 0 });
const CASSETTE = 'cassettes/chat.test.ts/chat--streams-a-greeting.rpk';

async function ask(content: string): Promise<string> {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content }],
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

describe('chat', () => {
  test('streams a greeting', async () => {
    expect(await ask(process.env.PROMPT ?? 'Hi')).toBe('Hello from the fake upstream.');
  });

  test('makes no provider call', () => {
    expect(1 + 1).toBe(2);
  });

  test('replays with parity (matcher)', async () => {
    await expect(CASSETTE).toReplayWithParity(() => ask(process.env.PROMPT ?? 'Hi'));
  });

  test('replays with parity (standalone)', async () => {
    await expectReplayParity(CASSETTE, () => ask(process.env.PROMPT ?? 'Hi'));
  });

  test.runIf(process.env.ADDED)('was added after recording', async () => {
    await ask('Something new');
  });
});
`;
