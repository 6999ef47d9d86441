import { expect, test } from 'vitest';
import { translate, translateStreaming } from './translate.ts';

test('translates in one response', async () => {
  expect(await translate('Good morning')).toBe('Hello from the fake upstream.');
});

test('translates as a stream', async () => {
  const pieces = await translateStreaming('Good evening');
  expect(pieces.length).toBeGreaterThan(1);
  expect(pieces.join('')).toBe('Hello from the fake upstream.');
});
