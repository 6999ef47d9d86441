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
import { currentTestNames, declaredTestNames } from './names.ts';

type Hook = (fn: () => Promise<void>) => void;
type TestFn = (...args: unknown[]) => unknown;
type Declare = ((name: string, fn?: TestFn, timeout?: number) => unknown) & Record<string, unknown>;
interface JestGlobals {
  test?: { concurrent?: Declare };
  it?: { concurrent?: Declare };
  expect: { extend(matchers: object): void; getState(): { testPath?: string } };
  beforeEach: Hook;
  afterEach: Hook;
  afterAll: Hook;
  replaykit?: ReplayKitOptions & { root?: string };
}

const g = globalThis as unknown as JestGlobals;
const WRAPPED = 'replaykitScoped';
const options = g.replaykit ?? {};
const root = options.root ?? process.cwd();
const noted: LedgerEntry[] = [];
let session: Awaited<ReturnType<typeof beginAuto>> | null = null;

g.expect.extend({ toReplayWithParity });
configureParity(parityOptions(options));

const cassetteOf = (names: string[]) =>
  autoCassettePath({
    root,
    dir: options.cassetteDir ?? DEFAULT_DIR,
    testFile: g.expect.getState().testPath ?? '',
    names,
  });

/** Cassettes of `test.concurrent` tests: each opens its own scope, `beforeEach` must not. */
const concurrent = new Set<string>();

if (options.autoCassette) {
  g.beforeEach(async () => {
    const cassette = cassetteOf(currentTestNames());
    if (concurrent.has(cassette)) return;
    session = await beginAuto(cassette, root, recordOptions(options));
  });
  // Jest starts every `test.concurrent` body at once, before their hooks run, so `beforeEach`
  // cannot give them a scope: each body is wrapped in its own (issue 24), as Vitest's aroundEach.
  for (const host of [g.test, g.it]) {
    const declare = host?.concurrent;
    if (!host || !declare || declare[WRAPPED]) continue;
    const wrapped = function concurrentTest(
      this: unknown,
      name: string,
      fn?: TestFn,
      timeout?: number,
    ) {
      if (typeof fn !== 'function') return Reflect.apply(declare, this, [name, fn, timeout]);
      const cassette = cassetteOf(declaredTestNames(name));
      concurrent.add(cassette);
      const body = async (...args: unknown[]) => {
        const own = await beginAuto(cassette, root, recordOptions(options));
        let error: Error | null = null;
        try {
          await own.within(() => fn(...args));
        } finally {
          error = await own.end();
          noted.push(...drain());
        }
        if (error) throw error;
      };
      return Reflect.apply(declare, this, [name, body, timeout]);
    } as Declare;
    Object.assign(wrapped, declare, { [WRAPPED]: true });
    host.concurrent = wrapped;
  }
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
