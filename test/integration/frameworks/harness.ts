/**
 * One table-driven harness for the framework suite (issue 13): every scenario goes through the same
 * checks, as separate tests so a report can say which one broke.
 *
 * 1. record: the real framework against the fake upstream, `record({ mode: 'record' }, run)`;
 * 2. replay: the upstream stopped and a tripwire on its port; the framework's result equals the
 *    recorded one, served from the cassette alone;
 * 3. parity: `expectReplayParity` on the run and on the cassette alone;
 * 4. divergence: a changed prompt fails with a `ReplayDivergenceError` naming the JSON path;
 * 5. tripwire: after all of them, no request ever reached the stopped upstream.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { expectReplayParity, ReplayDivergenceError, record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { createPrivateCa } from './private-ca.ts';
import { startTripwire, type Tripwire } from './tripwire.ts';

export interface RunEnv {
  /** The upstream's origin (`http://127.0.0.1:PORT`, `https://` for TLS scenarios). */
  origin: string;
  port: number;
  /** TLS scenarios: the PEM of the private CA the server certificate is issued by. */
  ca?: string;
}

export interface Scenario<T = unknown> {
  name: string;
  prompt: string;
  /** The changed prompt of the divergence check. */
  changed: string;
  /** The JSON path the first divergence must name for `changed`. */
  path: string;
  /** Serve over HTTPS with a private CA. */
  tls?: boolean;
  /** How the fake upstream answers; called before each recorded round. */
  upstream?: (up: FakeUpstream) => void;
  /** The framework code under test; its result is what a user would compare. */
  run: (env: RunEnv, prompt: string) => Promise<T>;
  /** Proof the framework really did the work when recorded (a tool loop ran, text streamed...). */
  sane: (value: T) => void;
  /** Record/replay rounds, each on its own cassette (twins: 20 in a row). Default 1. */
  rounds?: number;
}

interface Round<T> {
  cassette: string;
  value: T;
  /** Model requests the upstream answered (WebSocket upgrades and prewarms excluded). */
  requests: number;
  exchanges: number;
}

interface Recorded<T> {
  env: RunEnv;
  rounds: Round<T>[];
  tripwire: Tripwire;
}

/** Keeps each scenario's result type checked where it is written, then erases it for the table. */
export const scenario = <T>(s: Scenario<T>): Scenario => s as unknown as Scenario;

export function scenarios(list: Scenario[]): void {
  for (const sc of list) describe(sc.name, () => checks(sc));
}

function checks<T>(sc: Scenario<T>): void {
  let recorded: Promise<Recorded<T>> | undefined;
  const state = () => {
    recorded ??= recordAll(sc);
    return recorded;
  };
  afterAll(async () => {
    const done = await recorded?.catch(() => undefined);
    await done?.tripwire.close();
  });
  const check = (title: string, body: (r: Recorded<T>) => Promise<void>) => {
    test(title, async () => {
      const r = await state();
      const before = r.tripwire.hits.length;
      const failure = await body(r).then(
        () => undefined,
        (e: unknown) => e,
      );
      const hits = r.tripwire.hits.slice(before);
      // A replay that reached the network usually also fails the framework: name the hits first.
      if (hits.length > 0) {
        const cause = failure instanceof Error ? ` (then: ${failure.message.split('\n')[0]})` : '';
        throw new Error(`Replay reached the stopped upstream: ${hits.join(' | ')}${cause}`);
      }
      if (failure !== undefined) throw failure;
    });
  };

  check('record', async ({ rounds }) => {
    for (const round of rounds) {
      sc.sane(round.value);
      expect(round.requests).toBeGreaterThan(0);
      expect(round.exchanges, 'exchanges recorded = model requests answered').toBe(round.requests);
    }
  });
  check('offline replay gives the recorded results', async ({ env, rounds }) => {
    for (const [i, round] of rounds.entries()) {
      const replayed = await record(
        { cassette: round.cassette, mode: 'replay', strict: true },
        () => sc.run(env, sc.prompt),
      );
      expect(replayed.value, `round ${i + 1} of ${rounds.length}`).toEqual(round.value);
      expect(replayed.exchanges).toBe(round.exchanges);
    }
  });
  check('expectReplayParity', async ({ env, rounds }) => {
    for (const round of rounds) {
      await expectReplayParity(round.cassette, () => sc.run(env, sc.prompt));
      await expectReplayParity(round.cassette);
    }
  });
  check('a changed prompt fails at its JSON path', async ({ env, rounds }) => {
    for (const round of rounds) {
      const error = await record({ cassette: round.cassette, mode: 'replay' }, () =>
        sc.run(env, sc.changed),
      ).then(
        () => new Error('the changed prompt replayed without a divergence'),
        (e: unknown) => e,
      );
      if (!(error instanceof ReplayDivergenceError)) {
        const shown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new Error(`Expected a ReplayDivergenceError naming ${sc.path}, got ${shown}`);
      }
      expect(error.details.difference?.path).toBe(sc.path);
    }
  });
  // A request a run left in flight when it threw (a Promise.all sibling) can go out after its
  // check ended: give stragglers a moment, then count every hit since the upstream stopped.
  check('no request ever reached the stopped upstream', async ({ tripwire }) => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(tripwire.hits, 'requests that reached the tripwire').toEqual([]);
  });
}

async function recordAll<T>(sc: Scenario<T>): Promise<Recorded<T>> {
  const pki = sc.tls ? await createPrivateCa() : undefined;
  const up = await startFakeUpstream(pki ? { tls: { key: pki.key, cert: pki.cert } } : {});
  const env: RunEnv = { origin: up.url, port: up.port, ...(pki ? { ca: pki.ca } : {}) };
  const dir = mkdtempSync(path.join(tmpdir(), 'rk-frameworks-'));
  const rounds: Round<T>[] = [];
  try {
    for (let i = 0; i < (sc.rounds ?? 1); i++) {
      up.reset();
      sc.upstream?.(up);
      const cassette = path.join(dir, `${slug(sc.name)}-${i + 1}.rpk`);
      const result = await record({ cassette, mode: 'record' }, () => sc.run(env, sc.prompt));
      const requests = up.received.filter((r) => r.websocket !== 'upgrade' && !r.prewarm).length;
      rounds.push({ cassette, value: result.value, requests, exchanges: result.exchanges });
    }
  } finally {
    await up.close();
  }
  // Let clients see their pooled keep-alive sockets close, so a replay that wrongly goes to the
  // network opens a new connection the tripwire counts instead of failing on a dead socket.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { env, rounds, tripwire: await startTripwire(up.port) };
}

const slug = (name: string) =>
  name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
