import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// The suite in the named CI steps (.ci/run, .github/workflows/ci.yml): `vitest run --project X`.
// `vitest run` alone runs them all. Every test file belongs to exactly one project.
const LEAKS = [
  'test/integration/listener/cycles.test.ts',
  'test/integration/listener/cli-lifecycle.test.ts',
  'test/leaks/**/*.test.ts',
];

// .ci/run's second Node line sets REPLAYKIT_CI_SECOND_LINE: the heaviest suites have already run
// on the first line (Node 24), and running them twice would push CI past its budget: 24 real Jest
// runs, the real agent CLIs, the frameworks, the browser, the stream corpus, and transparent mode's
// network namespaces (50 start/stop cycles). Everything else runs on both lines.
const ONCE_PER_CI = process.env.REPLAYKIT_CI_SECOND_LINE
  ? [
      'test/integration/runners/jest-matrix.test.ts',
      'test/e2e/agents/**',
      'test/integration/frameworks/**',
      'test/integration/viewer/viewer-browser.test.ts',
      'test/integration/streams/corpus-replay.test.ts',
      'test/integration/transparent/netns*.test.ts',
    ]
  : [];

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', 'test/fixtures/**', 'examples/**'],
    testTimeout: 30_000,
    // A diverging replay or parity check writes its HTML diff (issue 19): never into the repo.
    env: {
      REPLAYKIT_REPORT_DIR:
        process.env.REPLAYKIT_REPORT_DIR ?? path.join(tmpdir(), 'replaykit-test-reports'),
    },
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'src/**/*.test.ts'],
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          // Installs test/agents and test/compat on demand (npm ci, cached by lock-file hash).
          globalSetup: ['test/support/test-packages.ts'],
          include: [
            'test/integration/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/docs/**/*.test.ts',
            'integrations/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', 'test/fixtures/**', ...LEAKS, ...ONCE_PER_CI],
        },
      },
      // Network-off replay determinism: the golden cassettes replay with every connection refused.
      { extends: true, test: { name: 'determinism', include: ['test/golden/**/*.test.ts'] } },
      // Listener cleanup: no orphan process, no leftover state. Run last in CI.
      { extends: true, test: { name: 'leaks', include: LEAKS } },
    ],
  },
});
