/**
 * `replaykit/jest`: Jest 29 and 30, CommonJS and native ESM.
 *
 * ```js
 * // jest.config.js
 * const { withReplayKit } = require('replaykit/jest');
 * module.exports = withReplayKit({ preset: 'ts-jest' }, { autoCassette: true });
 * ```
 */
import type {} from 'expect';
import { toReplayWithParity } from '../shared/matcher.ts';

export type { ReplayKitOptions } from '../shared/options.ts';
export { expectReplayParity } from '../shared/parity.ts';
export type { JestConfigLike } from './config.ts';
export { REPORTER, SETUP, withReplayKit } from './config.ts';

/** For projects that wire Jest by hand: `expect.extend(matchers)`. */
export const matchers = { toReplayWithParity };

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /** Replays `run` against the cassette at the received path; fails on the first divergence. */
    toReplayWithParity(run?: () => unknown): Promise<R>;
  }
}

declare global {
  namespace jest {
    // biome-ignore lint/complexity/noBannedTypes: must match @types/jest's declaration.
    interface Matchers<R, T = {}> {
      toReplayWithParity(run?: () => unknown): Promise<R>;
    }
  }
}
