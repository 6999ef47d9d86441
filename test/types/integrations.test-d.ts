/** The public API of the integrations and the matcher typings, as a user's editor sees them. */
import { expect as jestExpect } from '@jest/globals';
import type { HttpHandler } from 'msw';
import { describe, expect, expectTypeOf, test } from 'vitest';
import { defineConfig } from 'vitest/config';
import { withReplayKit } from '../../integrations/jest/index.ts';
import {
  type CassetteHandlers,
  cassetteHandlers,
  handlersFromCassette,
} from '../../integrations/msw/index.ts';
import {
  expectReplayParity,
  type ReplayKitOptions,
  replaykit,
} from '../../integrations/vitest/index.ts';
import type {
  ChaosOptions,
  ParityOptions,
  RecordOptions,
  RecordResult,
  UpdateReport,
} from '../../src/index.ts';

describe('replaykit/vitest', () => {
  test('the plugin is accepted by vitest.config', () => {
    defineConfig({ plugins: [replaykit({ autoCassette: true, cassetteDir: 'cassettes' })] });
    expectTypeOf(replaykit).parameter(0).toEqualTypeOf<ReplayKitOptions | undefined>();
  });

  test('options are checked', () => {
    // @ts-expect-error not a mode
    replaykit({ mode: 'rewind' });
    // @ts-expect-error a boolean
    replaykit({ autoCassette: 'yes' });
    replaykit({ mode: 'replay', match: 'sequence', ignorePaths: ['body.metadata'] });
  });

  test('expect(rpk).toReplayWithParity(run?) is typed on Vitest’s Matchers', () => {
    expectTypeOf(expect('x.rpk').toReplayWithParity()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(expect('x.rpk').toReplayWithParity(async () => 'done')).toEqualTypeOf<
      Promise<void>
    >();
    // @ts-expect-error the run is a function
    expect('x.rpk').toReplayWithParity(42);
  });

  test('expectReplayParity(rpk, run?, options?) resolves to nothing and throws on divergence', () => {
    expectTypeOf(expectReplayParity).parameters.toEqualTypeOf<
      [string, (() => unknown)?, ParityOptions?]
    >();
    expectTypeOf(expectReplayParity).returns.toEqualTypeOf<Promise<void>>();
  });
});

describe('replaykit/jest', () => {
  test('toReplayWithParity is typed on Jest’s Matchers (@jest/globals)', () => {
    expectTypeOf(jestExpect('x.rpk').toReplayWithParity(() => 1)).toEqualTypeOf<Promise<void>>();
    // @ts-expect-error the run is a function
    jestExpect('x.rpk').toReplayWithParity('nope');
  });

  test('withReplayKit keeps the user config and adds the setup file and the reporter', () => {
    const config = withReplayKit(
      { testEnvironment: 'node', verbose: true },
      { autoCassette: true },
    );
    expectTypeOf(config.testEnvironment).toEqualTypeOf<string>();
    expectTypeOf(config.setupFilesAfterEnv).toEqualTypeOf<string[]>();
    // @ts-expect-error not an option
    withReplayKit({}, { autoCassettes: true });
  });
});

describe('replaykit/msw', () => {
  test('handlersFromCassette returns msw handlers', () => {
    expectTypeOf(handlersFromCassette('x.rpk')).toEqualTypeOf<HttpHandler[]>();
    expectTypeOf(cassetteHandlers('x.rpk')).toEqualTypeOf<CassetteHandlers>();
    handlersFromCassette('x.rpk', { replaySpeed: 1, ignorePaths: ['body.user'] });
  });
});

describe('update mode and chaos replay (issue 20)', () => {
  test('mode update and the chaos options are typed', () => {
    replaykit({ mode: 'update' });
    expectTypeOf<RecordOptions['chaos']>().toEqualTypeOf<ChaosOptions | undefined>();
    const chaos: ChaosOptions = { seed: 1, chunking: 'random', latencyMs: [1, 5], status: 429 };
    expectTypeOf(chaos.chunking).toEqualTypeOf<'byte' | 'random' | number | undefined>();
    // @ts-expect-error chaos statuses are 429, 500 and 503
    ({ seed: 1, status: 404 }) satisfies ChaosOptions;
    expectTypeOf<RecordResult['update']>().toEqualTypeOf<UpdateReport | undefined>();
  });
});
