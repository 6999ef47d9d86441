import { defineConfig } from 'tsdown';

// One build, ESM + CJS with declarations: many Jest projects are still CommonJS.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      listener: 'src/listener/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    platform: 'node',
    target: 'node22',
    clean: true,
    sourcemap: true,
  },
  {
    // The CLI is ESM only: it is run, never required.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node22',
    clean: false,
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
