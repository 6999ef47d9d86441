import { defineConfig } from 'tsdown';

// One build, ESM + CJS with declarations: many Jest projects are still CommonJS.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      listener: 'src/listener/index.ts',
      // Integrations: one entry per subpath export. They share chunks with `index`, so a test's
      // `import { record } from 'replaykit'` and the injected setup file use one interceptor.
      vitest: 'integrations/vitest/index.ts',
      'vitest-setup': 'integrations/vitest/setup.ts',
      jest: 'integrations/jest/index.ts',
      'jest-setup': 'integrations/jest/setup.ts',
      'jest-reporter': 'integrations/jest/reporter.ts',
      msw: 'integrations/msw/index.ts',
    },
    // `import.meta.url` in the CommonJS build (the Vitest plugin locates its setup file with it).
    shims: true,
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
