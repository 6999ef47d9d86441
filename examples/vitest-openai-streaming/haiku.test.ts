import { describe, expect, test } from 'vitest';
import { haiku } from './haiku.ts';

describe('haiku', () => {
  test('streams the poem piece by piece', async () => {
    const pieces: string[] = [];
    const text = await haiku('the sea', (piece) => pieces.push(piece));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(text);
    expect(text).toBe('Hello from the fake upstream.');
  });

  test('replays with parity', async () => {
    await expect(
      'cassettes/haiku.test.ts/haiku--streams-the-poem-piece-by-piece.rpk',
    ).toReplayWithParity(() => haiku('the sea', () => {}));
  });
});
