/**
 * `replaykit/vitest`: one line in `vitest.config`.
 *
 * ```ts
 * import { replaykit } from 'replaykit/vitest';
 * export default defineConfig({ plugins: [replaykit({ autoCassette: true })] });
 * ```
 *
 * The plugin injects a setup file (matchers, per-test cassettes) and a reporter (the end-of-run
 * cassette report). Vitest 3.2, 4 and 5: the reporter arrives through the `configureVitest` hook.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertSupportedNode, loadPriceTableSync } from '../../src/integration.ts';
import { DEFAULT_DIR, type ReplayKitOptions } from '../shared/options.ts';
import { CassetteReporter } from './reporter.ts';

export type { ReplayKitOptions } from '../shared/options.ts';
export { expectReplayParity } from '../shared/parity.ts';

/** The key under which the options reach the workers (`inject('replaykit')`). */
export const PROVIDE_KEY = 'replaykit';

/** What the setup file receives. */
export interface ProvidedOptions extends ReplayKitOptions {
  root: string;
}

/** The parts of Vitest's plugin context used here (kept structural: they differ by version). */
interface PluginContext {
  vitest: { config: { root: string; reporters: unknown[] }; reporters?: unknown[] };
  project: { config: { root: string }; provide(key: string, value: unknown): void };
}

export interface ReplayKitPlugin {
  name: string;
  config(config: { test?: { setupFiles?: string | string[] } }): {
    test: { setupFiles: string[] };
  };
  configureVitest(context: PluginContext): void;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** Built next to this module by tsdown (see tsdown.config.ts). */
export const setupFile = path.join(here, 'vitest-setup.mjs');

export function replaykit(options: ReplayKitOptions = {}): ReplayKitPlugin {
  // Vitest evaluates its config first, in the main process: the earliest place to say it once.
  assertSupportedNode();
  const wired = new WeakSet<object>();
  return {
    name: 'replaykit',
    config() {
      return { test: { setupFiles: [setupFile] } };
    },
    configureVitest({ vitest, project }) {
      project.provide(PROVIDE_KEY, {
        ...options,
        root: project.config.root,
      } satisfies ProvidedOptions);
      if (wired.has(vitest) || options.report === false) return;
      wired.add(vitest);
      const reporter = new CassetteReporter({
        root: vitest.config.root,
        dir: options.cassetteDir ?? DEFAULT_DIR,
        autoCassette: options.autoCassette === true,
        ...(options.prices
          ? { prices: loadPriceTableSync(options.prices, vitest.config.root) }
          : {}),
      });
      // Vitest creates its reporters from the config after this hook in 3.2+; add it to the live
      // list too in case a version created them before. The reporter ignores a second call.
      vitest.config.reporters.push(reporter);
      if (vitest.reporters && vitest.reporters.length > 0) vitest.reporters.push(reporter);
    },
  };
}

export default replaykit;

declare module 'vitest' {
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> {
    /** Replays `run` against the cassette at the received path; fails on the first divergence. */
    toReplayWithParity(run?: () => unknown): Promise<void>;
  }
}
