import { expect, test } from 'vitest';
import { answer } from './assistant.ts';

test('streams an answer through the AI SDK', async () => {
  const { chunks, text } = await answer('What is ReplayKit?');
  expect(chunks.length).toBeGreaterThan(1);
  expect(text).toBe('Hello from the fake upstream.');
});
