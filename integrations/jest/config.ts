/**
 * `withReplayKit(config, options)`: the one line a Jest config needs. It adds the setup file
 * (matchers, per-test cassettes), the cassette reporter next to the user's reporters, and the
 * options the setup file reads from `globals.replaykit`.
 */
import path from 'node:path';
import { assertSupportedNode } from '../../src/integration.ts';
import type { ReplayKitOptions } from '../shared/options.ts';

/** The Jest config fields this touches (structural: Jest 29 and 30 type them differently). */
export interface JestConfigLike {
  rootDir?: string;
  setupFilesAfterEnv?: string[];
  reporters?: unknown[];
  globals?: Record<string, unknown>;
  [key: string]: unknown;
}

export const SETUP = 'replaykit/jest/setup';
export const REPORTER = 'replaykit/jest/reporter';

export function withReplayKit<C extends JestConfigLike>(
  config: C,
  options: ReplayKitOptions = {},
): C & Required<Pick<JestConfigLike, 'setupFilesAfterEnv' | 'reporters' | 'globals'>> {
  // Jest loads its config first, in the main process: the earliest place to say it once.
  assertSupportedNode();
  const root = path.resolve(config.rootDir ?? process.cwd());
  const shared = { ...options, root };
  return {
    ...config,
    setupFilesAfterEnv: [SETUP, ...(config.setupFilesAfterEnv ?? [])],
    reporters: [
      ...(config.reporters ?? ['default']),
      ...(options.report === false ? [] : [[REPORTER, shared]]),
    ],
    globals: { ...config.globals, replaykit: shared },
  };
}
