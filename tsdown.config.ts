import { defineConfig } from 'tsdown';

// One build, ESM + CJS with declarations: many Jest projects are still CommonJS.
const entry = {
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
  // What integrations build on (theirs and third parties'): they import nothing deeper.
  integration: 'src/integration.ts',
};

/**
 * @note Dependencies published as ESM only, bundled into the CommonJS build: Jest's module
 * runtime cannot `require()` ES modules before Node 24.9 (Jest 30) or at all (Jest 29), so a
 * CommonJS Jest project would fail on `require("eventsource-parser")` otherwise.
 * @mswjs/interceptors is not among them: src/capture/interceptor.ts loads it with Node's own
 * `require` (one copy per process, outside Jest's per-file registry), which takes ES modules.
 */
const ESM_ONLY = [/^eventsource-parser/];

// ESM + CJS with declarations: many Jest projects are still CommonJS.
export default defineConfig([
  {
    entry,
    format: ['esm'],
    dts: true,
    platform: 'node',
    target: 'node22',
    clean: true,
    sourcemap: true,
  },
  {
    entry,
    format: ['cjs'],
    // `import.meta.url` in CommonJS (the Vitest plugin locates its setup file with it).
    shims: true,
    deps: { alwaysBundle: ESM_ONLY },
    dts: true,
    platform: 'node',
    target: 'node22',
    clean: false,
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
