/**
 * Persistence: rotation by size and age that never splits an exchange, retention with
 * `replaypack prune`, and a listener killed with SIGKILL mid-stream whose artifact still passes
 * `replaypack assert` (replays offline to itself).
 */
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createListenerCapture } from '../../../src/listener/capture.ts';
import { createGateway } from '../../../src/listener/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { replaypack } from '../../support/cli.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let dir: string;
let up: FakeUpstream;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-persist-'));
  up = await startFakeUpstream();
});
afterEach(async () => {
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

const chat = (url: string, content: string, stream = true) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-test-FAKE', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-test', stream, messages: [{ role: 'user', content }] }),
  });

test('--rotate-size seals full files and never splits an exchange, even one in flight', async () => {
  const artifact = join(dir, 'listen-run.rpk');
  const gateway = await createGateway({
    port: 0,
    upstreams: { openai: up.url },
    capture: createListenerCapture({ artifact, rotate: { sizeBytes: 1500 } }),
  });
  // A slow stream is in flight while later exchanges start in new files.
  up.enqueue({ kind: 'text', text: 'slow words arriving one by one', delayMs: 40 });
  const slow = chat(gateway.url, 'slow').then((r) => r.text());
  await up.waitForRequests(1);
  for (let i = 0; i < 6; i++) await (await chat(gateway.url, `turn ${i}`)).text();
  await slow;
  await gateway.close();
  const files = readdirSync(dir).sort();
  expect(files.length).toBeGreaterThan(2);
  expect(files[0]).toBe('listen-run.rpk');
  expect(files[1]).toBe('listen-run_p0002.rpk');
  let exchanges = 0;
  for (const file of files) {
    const cassette = await loadCassette(join(dir, file));
    expect(cassette.seal).toBeTruthy();
    const requests = cassette.steps.filter((s) => s.type === 'model.request');
    const responses = cassette.steps.filter((s) => s.type === 'model.response');
    // Every exchange whole, in one file.
    expect(responses.map((s) => s.correlation_id)).toEqual(requests.map((s) => s.correlation_id));
    for (const r of responses) expect(r).toMatchObject({ stream: { state: 'completed' } });
    exchanges += requests.length;
  }
  expect(exchanges).toBe(7);
});

test('--rotate-interval starts a new file for the first exchange after the interval', async () => {
  const artifact = join(dir, 'listen-run.rpk');
  const gateway = await createGateway({
    port: 0,
    upstreams: { openai: up.url },
    capture: createListenerCapture({ artifact, rotate: { intervalMs: 50 } }),
  });
  await (await chat(gateway.url, 'one', false)).text();
  await new Promise((resolve) => setTimeout(resolve, 80));
  await (await chat(gateway.url, 'two', false)).text();
  await gateway.close();
  expect(readdirSync(dir).sort()).toEqual(['listen-run.rpk', 'listen-run_p0002.rpk']);
});

test('prune keeps the newest N and removes those older than --max-age', async () => {
  const now = Date.now() / 1000;
  const names = ['a.rpk', 'b.rpk', 'c.rpk', 'd.rpk', 'notes.txt'];
  names.forEach((n, i) => {
    writeFileSync(join(dir, n), '{}\n');
    utimesSync(join(dir, n), now - i * 3600, now - i * 3600);
  });
  const dry = await replaypack(['prune', dir, '--keep', '2', '--dry-run', '--json']);
  expect(JSON.parse(dry.stdout).removed.map((f: string) => f.slice(-5))).toEqual([
    'c.rpk',
    'd.rpk',
  ]);
  expect(readdirSync(dir)).toHaveLength(5);
  const aged = await replaypack(['prune', dir, '--max-age', '90m']);
  expect(aged.exitCode).toBe(0);
  expect(readdirSync(dir).sort()).toEqual(['a.rpk', 'b.rpk', 'notes.txt']);
  expect((await replaypack(['prune', dir])).exitCode).toBe(2);
});

/** Starts a listener, completes one stream, kills it with SIGKILL in the middle of a second. */
async function crashedArtifact(): Promise<string> {
  const env = { REPLAYKIT_HOME: join(dir, 'home') };
  const out = join(dir, 'out');
  const started = await replaypack(
    ['listen', 'start', '--port', '0', '--out', out, '--upstream', `openai=${up.url}`, '--json'],
    { env },
  );
  expect(started.exitCode).toBe(0);
  const { url, pid, artifact } = JSON.parse(started.stdout);
  await (await chat(url, 'a whole exchange first')).text();
  up.enqueue({
    kind: 'text',
    text: 'this stream will never finish because of the kill',
    delayMs: 200,
  });
  const response = await chat(url, 'then one cut short');
  const reader = response.body!.getReader();
  await reader.read();
  process.kill(pid, 'SIGKILL');
  await reader.read().catch(() => undefined);
  await replaypack(['listen', 'status'], { env });
  return artifact;
}

test('kill -9 mid-stream: the artifact replays offline through the listener', async () => {
  const artifact = await crashedArtifact();
  const cassette = await loadCassette(artifact);
  const responses = cassette.steps.filter((s) => s.type === 'model.response');
  expect(responses.map((r) => r.stream?.state)).toEqual(['completed', 'interrupted']);
  await up.close();
  const gateway = await createGateway({
    port: 0,
    mode: 'replay',
    cassette: artifact,
    upstreams: { openai: 'http://127.0.0.1:9' },
  });
  const whole = await (await chat(gateway.url, 'a whole exchange first')).text();
  const cut = await (await chat(gateway.url, 'then one cut short')).text().catch(() => 'cut');
  await gateway.close();
  expect(whole).toContain('data: [DONE]');
  expect(cut).toBe('cut');
});

// A stream folded by the reader from a killed run has no `assembled`: parity compares it on what
// was written (docs/CONTRACT.md, "Replay parity").
test('kill -9 mid-stream: the artifact passes replaypack assert', async () => {
  const artifact = await crashedArtifact();
  const assert = await replaypack(['assert', artifact]);
  expect(assert.stderr).toBe('');
  expect(assert.exitCode).toBe(0);
});
