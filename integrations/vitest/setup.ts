/**
 * The setup file the plugin injects into every test file: registers `toReplayWithParity`, wraps
 * each test in its own cassette when `autoCassette` is on, and hands what the test did with
 * cassettes to the reporter through the task's meta (serialised to the main process by Vitest).
 */
import '../../src/node-check.ts';
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

if (options.autoCassette) {
  beforeEach(async (context) => {
    const task = context.task as unknown as TaskLike;
    const root = options.root ?? process.cwd();
    const cassette = autoCassettePath({
      root,
      dir: options.cassetteDir ?? DEFAULT_DIR,
      testFile: task.file?.filepath ?? '',
      names: names(task),
    });
    session = await beginAuto(cassette, root, recordOptions(options));
  });
}

afterEach(async (context) => {
  const task = context.task as unknown as TaskLike;
  const current = session;
  session = null;
  const error = current ? await current.end() : null;
  const entries = drain();
  if (entries.length > 0) task.meta[META_KEY] = entries;
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
