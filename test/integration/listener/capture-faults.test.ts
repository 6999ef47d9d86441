/**
 * Capture-path faults never break or block the routed app, under every policy: the response
 * still flows, an `error.event` (source `capture`) is written where the disk still allows it, and
 * the listener reports itself degraded. The disk-full case is real: the listener runs under a
 * file-size limit (`ulimit -f`), so its writes fail with EFBIG exactly as on a full disk.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { createListenerCapture } from '../../../src/listener/capture.ts';
import type { ExchangeRecorder } from '../../../src/listener/capture-hooks.ts';
import { createGateway, type ListenerPolicy } from '../../../src/listener/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { CLI_ENTRY, replaypack } from '../../support/cli.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let dir: string;
let up: FakeUpstream;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-cfault-'));
  up = await startFakeUpstream();
});
afterEach(async () => {
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

const POLICIES: ListenerPolicy[] = ['live_only', 'best_effort', 'synthetic_allowed'];
const captureErrors = (steps: Step[]) =>
  steps.filter(
    (s): s is Extract<Step, { type: 'error.event' }> =>
      s.type === 'error.event' && s.source === 'capture',
  );

/** Faults planted in one hook of the real capture: what an adapter bug or a bad value does. */
const FAULTS: { name: string; hook: keyof ExchangeRecorder; error: () => Error }[] = [
  {
    name: 'an adapter bug',
    hook: 'responseChunk',
    error: () => new TypeError("Cannot read properties of undefined (reading 'delta')"),
  },
  {
    name: 'a value that does not serialise',
    hook: 'responseHead',
    error: () => new TypeError('Do not know how to serialize a BigInt'),
  },
];

const cases = POLICIES.flatMap((policy) => FAULTS.map((fault) => ({ policy, ...fault })));

test.each(cases)('$name under $policy: the stream flows, error.event, degraded', async (c) => {
  const artifact = join(dir, 'run.rpk');
  const real = createListenerCapture({ artifact });
  const gateway = await createGateway({
    port: 0,
    policy: c.policy,
    upstreams: { anthropic: up.url },
    capture: {
      ...real,
      open(start) {
        const recorder = real.open(start);
        if (!recorder) return recorder;
        return {
          ...recorder,
          [c.hook]: () => {
            throw c.error();
          },
        };
      },
    },
  });
  up.enqueue({ kind: 'text', text: 'still flowing to the app' });
  const r = await fetch(`${gateway.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': 'sk-ant-test-FAKE', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({
      model: 'claude-test',
      max_tokens: 9,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });
  const text = await r.text();
  const health = gateway.health();
  await gateway.close();
  expect(r.status).toBe(200);
  expect(text).toContain('"text":" flowing"');
  expect(text).toContain('message_stop');
  expect(health.degraded).toBe(true);
  expect(health.counts.capture_faults).toBe(1);
  const errors = captureErrors((await loadCassette(artifact)).steps);
  expect(errors).toHaveLength(1);
  expect(errors[0]?.message).toContain(c.error().message);
});

test.skipIf(process.platform === 'win32').each(POLICIES)(
  'disk full under %s: traffic flows, the fault is an error.event in the next file, degraded',
  async (policy) => {
    const home = join(dir, `home-${policy}`);
    const out = join(dir, `out-${policy}`);
    const env = { REPLAYKIT_HOME: home, NO_COLOR: '1' };
    // 16 blocks of 512 bytes: the header fits, the large request line below does not.
    const listener = execa(
      'sh',
      [
        '-c',
        'ulimit -f 16 && exec "$0" "$@"',
        process.execPath,
        CLI_ENTRY,
        'listen',
        'start',
        '--foreground',
        '--json',
        '--port',
        '0',
        '--out',
        out,
        '--policy',
        policy,
        '--upstream',
        `openai=${up.url}`,
      ],
      { env, reject: false },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        listener.stdout?.on('data', (d: Buffer) => {
          const m = /"url": "([^"]+)"/.exec(d.toString());
          if (m?.[1]) resolve(m[1]);
        });
        void listener.then((r) => reject(new Error(`listener exited: ${r.stderr}`)));
      });
      const big = 'lorem ipsum '.repeat(1200);
      for (const content of [big, 'small']) {
        const r = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: 'Bearer sk-test-FAKE', 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content }] }),
        });
        expect(r.status).toBe(200);
        expect((await r.json()).choices[0].message.content).toBe('Hello from the fake upstream.');
      }
      const status = JSON.parse((await replaypack(['listen', 'status', '--json'], { env })).stdout);
      expect(status).toMatchObject({ status: 'running', degraded: true });
      expect(status.counts.capture_faults).toBeGreaterThanOrEqual(1);
    } finally {
      await replaypack(['listen', 'stop'], { env });
      await listener;
    }
    const files = readdirSync(out)
      .sort()
      .map((f) => join(out, f));
    expect(files.length).toBeGreaterThanOrEqual(2);
    // The broken first file stays readable up to its last whole line; the next one holds the
    // fault and the exchange that followed it.
    const [first, second] = await Promise.all(files.slice(0, 2).map((f) => loadCassette(f)));
    expect(first?.header.type).toBe('run.header');
    expect(captureErrors(second?.steps ?? [])[0]?.message).toContain(
      'the file is larger than the system allows',
    );
    expect(second?.steps.filter((s) => s.type === 'model.response')).toHaveLength(1);
  },
);
