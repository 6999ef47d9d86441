/**
 * Jest setup file (`setupFilesAfterEnv`, added by `withReplayKit`): registers
 * `toReplayWithParity`, wraps each test in its own cassette when `autoCassette` is on, and writes
 * what the test file did with cassettes where the reporter (another process) collects it.
 */
import '../../src/node-check.ts';
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { beginAuto } from '../shared/auto-cassette.ts';
import { autoCassettePath } from '../shared/cassette-path.ts';
import { drain, type LedgerEntry } from '../shared/ledger.ts';
import { toReplayWithParity } from '../shared/matcher.ts';
import {
  DEFAULT_DIR,
  parityOptions,
  type ReplayKitOptions,
  recordOptions,
} from '../shared/options.ts';
import { configureParity } from '../shared/parity.ts';
import { LEDGER_ENV } from './ledger-file.ts';
import { currentTestNames } from './names.ts';

type Hook = (fn: () => Promise<void>) => void;
interface JestGlobals {
  expect: { extend(matchers: object): void; getState(): { testPath?: string } };
  beforeEach: Hook;
  afterEach: Hook;
  afterAll: Hook;
  replaykit?: ReplayKitOptions & { root?: string };
}

const g = globalThis as unknown as JestGlobals;
const options = g.replaykit ?? {};
const root = options.root ?? process.cwd();
const noted: LedgerEntry[] = [];
let session: Awaited<ReturnType<typeof beginAuto>> | null = null;

g.expect.extend({ toReplayWithParity });
configureParity(parityOptions(options));

if (options.autoCassette) {
  g.beforeEach(async () => {
    const cassette = autoCassettePath({
      root,
      dir: options.cassetteDir ?? DEFAULT_DIR,
      testFile: g.expect.getState().testPath ?? '',
      names: currentTestNames(),
    });
    session = await beginAuto(cassette, root, recordOptions(options));
  });
}

g.afterEach(async () => {
  const current = session;
  session = null;
  const error = current ? await current.end() : null;
  noted.push(...drain());
  if (error) throw error;
});

g.afterAll(async () => {
  const dir = process.env[LEDGER_ENV];
  if (!dir || noted.length === 0) return;
  const file = path.join(dir, `${randomUUID()}.json`);
  appendFileSync(file, JSON.stringify(noted));
});
