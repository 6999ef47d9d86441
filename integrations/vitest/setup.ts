/**
 * The setup file the plugin injects into every test file: registers `toReplayWithParity`, wraps
 * each test in its own cassette when `autoCassette` is on, and hands what the test did with
 * cassettes to the reporter through the task's meta (serialised to the main process by Vitest).
 */
import '../../src/node-check.ts';
import * as vitest from 'vitest';
import { afterEach, beforeEach, expect, inject } from 'vitest';
import { beginAuto } from '../shared/auto-cassette.ts';
import { autoCassettePath } from '../shared/cassette-path.ts';
import { drain } from '../shared/ledger.ts';
import { toReplayWithParity } from '../shared/matcher.ts';
import { DEFAULT_DIR, parityOptions, recordOptions } from '../shared/options.ts';
import { configureParity } from '../shared/parity.ts';
import type { ProvidedOptions } from './index.ts';
import { META_KEY } from './reporter.ts';

interface TaskLike {
  name: string;
  meta: Record<string, unknown>;
  file?: { filepath: string };
  suite?: { name: string; suite?: unknown; file?: unknown; filepath?: string };
}

expect.extend({ toReplayWithParity });

const options = ((inject as (key: string) => unknown)('replaykit') ??
  {}) as Partial<ProvidedOptions>;
let session: Awaited<ReturnType<typeof beginAuto>> | null = null;
configureParity(parityOptions(options));

/**
 * `aroundEach` (Vitest 5) runs the test body inside the hook: the body runs in the test's own scope
 * (runWithin), so concurrent tests (`describe.concurrent`) each record to their own cassette, as
 * Vitest's own `expect` is per test through the test context. Without it (older Vitest) the scope
 * starts in `beforeEach`, and requests are attributed by the one-active-scope rule: concurrent
 * tests then fail loudly rather than mix (docs/INTEGRATIONS.md).
 */
type AroundEach = (
  fn: (runTest: () => Promise<void>, context: { task: unknown }) => Promise<void>,
) => void;
const aroundEach = (vitest as unknown as { aroundEach?: AroundEach }).aroundEach;

function cassetteOf(task: TaskLike): { cassette: string; root: string } {
  const root = options.root ?? process.cwd();
  const cassette = autoCassettePath({
    root,
    dir: options.cassetteDir ?? DEFAULT_DIR,
    testFile: task.file?.filepath ?? '',
    names: names(task),
  });
  return { cassette, root };
}

if (options.autoCassette && aroundEach) {
  aroundEach(async (runTest, context) => {
    const task = context.task as TaskLike;
    const { cassette, root } = cassetteOf(task);
    const own = await beginAuto(cassette, root, recordOptions(options));
    let error: Error | null = null;
    try {
      await own.within(runTest);
    } finally {
      error = await own.end();
      const entries = drain();
      if (entries.length > 0) {
        task.meta[META_KEY] = [...((task.meta[META_KEY] as []) ?? []), ...entries];
      }
    }
    if (error) throw error;
  });
} else if (options.autoCassette) {
  beforeEach(async (context) => {
    const { cassette, root } = cassetteOf(context.task as unknown as TaskLike);
    session = await beginAuto(cassette, root, recordOptions(options));
  });
}

afterEach(async (context) => {
  const task = context.task as unknown as TaskLike;
  const current = session;
  session = null;
  const error = current ? await current.end() : null;
  const entries = drain();
  if (entries.length > 0)
    task.meta[META_KEY] = [...((task.meta[META_KEY] as []) ?? []), ...entries];
  if (error) throw error;
});

/** Suite names from the outermost in (the file itself excluded), then the test's name. */
function names(task: TaskLike): string[] {
  const out = [task.name];
  let suite = task.suite;
  while (suite && suite.filepath === undefined && suite.name) {
    out.unshift(suite.name);
    suite = suite.suite as TaskLike['suite'];
  }
  return out;
}
