import { replaykit } from 'replaykit/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [replaykit({ autoCassette: true })],
});
