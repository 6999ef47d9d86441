/**
 * One harness for every provider added by issue 16 item 4, each driven by its REAL SDK against
 * the loopback fake upstream:
 *
 * 1. record: `record({ mode: 'record' }, run)`; the cassette's steps name the provider and its
 *    endpoints, streams completed, the assembly equals what the SDK returned, no key in the file;
 * 2. offline replay: the upstream stopped and a tripwire listening on its port that counts every
 *    TCP connection (HTTP/1, HTTP/2, anything): the SDK gets the recorded results from the
 *    cassette alone (the network-off child process is in offline.test.ts);
 * 3. parity: `expectReplayParity` on the run and on the cassette alone;
 * 4. divergence: a changed prompt fails with a `ReplayDivergenceError` naming the JSON path.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { expectReplayParity, ReplayDivergenceError, record } from '../../../src/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import type { ProviderScenario } from './scenarios.ts';

interface Recorded {
  origin: string;
  cassette: string;
  value: unknown;
  requests: number;
  exchanges: number;
  steps: Step[];
  text: string;
  tripwire: ConnectionTripwire;
}

interface ConnectionTripwire {
  readonly connections: number;
  close(): Promise<void>;
}

/** Counts every connection to the stopped upstream's port, whatever protocol it would speak. */
async function connectionTripwire(port: number): Promise<ConnectionTripwire> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function providerScenarios(list: ProviderScenario[]): void {
  for (const sc of list) describe(sc.name, () => checks(sc));
}

async function recordOne(sc: ProviderScenario): Promise<Recorded> {
  const up: FakeUpstream = await startFakeUpstream();
  const dir = mkdtempSync(path.join(tmpdir(), 'rk-providers-'));
  const cassette = path.join(dir, 'cassette.rpk');
  let result: Awaited<ReturnType<typeof record>>;
  try {
    sc.upstream?.(up);
    const env = { origin: up.url, port: up.port };
    result = await record({ cassette, mode: 'record' }, () => sc.run(env, sc.prompt));
  } finally {
    await up.close();
  }
  const requests = up.received.length;
  const { steps } = await loadCassette(cassette);
  await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    origin: up.url,
    cassette,
    value: result.value,
    requests,
    exchanges: result.exchanges,
    steps,
    text: readFileSync(cassette, 'utf8'),
    tripwire: await connectionTripwire(up.port),
  };
}

function checks(sc: ProviderScenario): void {
  let recorded: Promise<Recorded> | undefined;
  const state = () => {
    recorded ??= recordOne(sc);
    return recorded;
  };
  afterAll(async () => {
    const done = await recorded?.catch(() => undefined);
    await done?.tripwire.close();
  });
  const env = (r: Recorded) => ({ origin: r.origin, port: Number(new URL(r.origin).port) });
  const check = (title: string, body: (r: Recorded) => Promise<void>) => {
    test(title, async () => {
      const r = await state();
      const before = r.tripwire.connections;
      const failure = await body(r).then(
        () => undefined,
        (e: unknown) => e,
      );
      const hits = r.tripwire.connections - before;
      if (hits > 0) {
        const cause = failure instanceof Error ? ` (then: ${failure.message.split('\n')[0]})` : '';
        throw new Error(`Replay opened ${hits} connection(s) to the stopped upstream${cause}`);
      }
      if (failure !== undefined) throw failure;
    });
  };

  check(
    'record: steps name the provider, the assembly equals the SDK result, no key',
    async (r) => {
      sc.sane(r.value);
      expect(r.exchanges, 'exchanges recorded = requests answered').toBe(r.requests);
      const requests = r.steps.filter((s) => s.type === 'model.request');
      expect(requests.map((s) => `${s.provider} ${s.endpoint}`)).toEqual(
        sc.endpoints.map((e) => `${sc.provider} ${e}`),
      );
      for (const response of r.steps.filter((s) => s.type === 'model.response')) {
        if (response.stream) expect(response.stream.state, response.endpoint).toBe('completed');
        expect(response.diagnostics ?? [], response.endpoint).toEqual([]);
      }
      sc.steps?.(r.steps, r.value);
      for (const secret of sc.secrets) expect(r.text).not.toContain(secret);
    },
  );
  check('offline replay gives the recorded results', async (r) => {
    const replayed = await record({ cassette: r.cassette, mode: 'replay', strict: true }, () =>
      sc.run(env(r), sc.prompt),
    );
    expect(replayed.value).toEqual(r.value);
    expect(replayed.exchanges).toBe(r.exchanges);
  });
  check('expectReplayParity', async (r) => {
    await expectReplayParity(r.cassette, () => sc.run(env(r), sc.prompt));
    await expectReplayParity(r.cassette);
  });
  check('a changed prompt fails with the first divergence path', async (r) => {
    const error = await record({ cassette: r.cassette, mode: 'replay' }, () =>
      sc.run(env(r), sc.changed),
    ).then(
      () => new Error('the changed prompt replayed without a divergence'),
      (e: unknown) => e,
    );
    if (!(error instanceof ReplayDivergenceError)) {
      const shown = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new Error(`Expected a ReplayDivergenceError naming ${sc.path}, got ${shown}`);
    }
    expect(error.details.difference?.path).toBe(sc.path);
  });
}
