/**
 * Upstream faults under each policy (docs/PASSIVE_LISTENER.md "Upstream faults"): what the client
 * gets and what the artifact says, for connection refused, timeout, 5xx, a malformed JSON body and
 * a disconnect mid-stream; then bounded retries, and no retry once a stream has started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { createListenerCapture } from '../../../src/listener/capture.ts';
import { createGateway, type Gateway, type ListenerPolicy } from '../../../src/listener/index.ts';
import { loadCassette } from '../../../src/pipeline/cassette.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';

let dir: string;
let up: FakeUpstream;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-policy-'));
  up = await startFakeUpstream();
});
afterEach(async () => {
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

type Fault = 'refused' | 'timeout' | '5xx' | 'malformed' | 'disconnect';

async function gatewayFor(policy: ListenerPolicy, fault: Fault, extra = {}) {
  const artifact = join(dir, `${policy}-${fault}.rpk`);
  const upstream = fault === 'refused' ? 'http://127.0.0.1:9' : up.url;
  const gateway = await createGateway({
    port: 0,
    policy,
    timeoutMs: 300,
    upstreams: { openai: upstream },
    capture: createListenerCapture({ artifact }),
    ...extra,
  });
  return { gateway, artifact };
}

function inject(fault: Fault) {
  if (fault === 'timeout') up.enqueue({ kind: 'hang' });
  if (fault === '5xx') up.enqueue({ kind: 'error', status: 503, message: 'overloaded upstream' });
  if (fault === 'malformed') up.enqueue({ kind: 'malformed' });
  if (fault === 'disconnect') up.enqueue({ kind: 'disconnect', afterEvents: 2 });
}

/** A chat completion; streamed for the disconnect case. Returns status and the body read. */
async function call(gateway: Gateway, stream: boolean) {
  const r = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-test-FAKE', 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gpt-test',
      stream,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });
  const body = await r.text().then(
    (text) => ({ text, cut: false }),
    () => ({ text: '', cut: true }),
  );
  return { status: r.status, source: r.headers.get('x-replaykit-response-source'), ...body };
}

const events = (steps: Step[]) =>
  steps.filter((s) => s.type === 'error.event').map((s) => (s as { code: string }).code);

const FAULTS: Fault[] = ['refused', 'timeout', '5xx', 'malformed', 'disconnect'];
const POLICIES: ListenerPolicy[] = ['live_only', 'best_effort', 'synthetic_allowed'];
const cases = POLICIES.flatMap((policy) => FAULTS.map((fault) => ({ policy, fault })));

test.each(cases)('$fault under $policy', async ({ policy, fault }) => {
  inject(fault);
  const { gateway, artifact } = await gatewayFor(policy, fault);
  const got = await call(gateway, fault === 'disconnect');
  const counts = gateway.health().counts;
  await gateway.close({ drainTimeoutMs: 200 });
  const steps = (await loadCassette(artifact)).steps;
  const codes = events(steps);
  const response = steps.find((s) => s.type === 'model.response');
  expect(counts.upstream_faults).toBe(1);

  if (fault === 'disconnect') {
    // Bytes already reached the client: no policy can take them back, and nothing is retried.
    expect(got.cut).toBe(true);
    expect(response).toMatchObject({ stream: { state: 'interrupted' } });
    expect(codes).toEqual(policy === 'live_only' ? [] : ['upstream_disconnected']);
    return;
  }
  if (policy === 'synthetic_allowed') {
    expect(got).toMatchObject({ status: 200, source: 'synthetic' });
    expect(JSON.parse(got.text).choices[0].message.content).toContain('synthetic response');
    expect(response).toMatchObject({ status: 200, response_source: 'synthetic' });
    expect(codes).toHaveLength(1);
    expect(counts.synthetic).toBe(1);
    return;
  }
  const noResponse = fault === 'refused' || fault === 'timeout';
  if (noResponse) {
    expect(got.status).toBe(fault === 'timeout' ? 504 : 502);
    expect(JSON.parse(got.text).error.code).toBe(
      fault === 'timeout' ? 'upstream_timeout' : 'upstream_unreachable',
    );
    // The exchange has no response, so its outcome is an error.event under every policy.
    expect(codes).toHaveLength(1);
    return;
  }
  // 5xx and malformed bodies pass through unchanged; best_effort adds the error.event.
  expect(got.status).toBe(fault === '5xx' ? 503 : 200);
  if (fault === '5xx') expect(got.text).toContain('overloaded upstream');
  else expect(() => JSON.parse(got.text)).toThrow();
  expect(response).toMatchObject({ status: got.status });
  expect(codes).toEqual(
    policy === 'live_only' ? [] : [fault === '5xx' ? 'upstream_5xx' : 'upstream_malformed'],
  );
});

test('a fault before the first byte is retried with backoff, up to --retries', async () => {
  up.enqueue({ kind: 'error', status: 503 }, { kind: 'error', status: 502 });
  const { gateway, artifact } = await gatewayFor('live_only', '5xx', {
    retries: 2,
    retryBackoffMs: 10,
  });
  const got = await call(gateway, false);
  const counts = gateway.health().counts;
  await gateway.close();
  expect(got.status).toBe(200);
  expect(JSON.parse(got.text).choices[0].message.content).toBe('Hello from the fake upstream.');
  expect(up.received).toHaveLength(3);
  expect(counts).toMatchObject({ retries: 2, upstream_faults: 0, errors: 0 });
  const steps = (await loadCassette(artifact)).steps;
  expect(events(steps)).toEqual(['upstream_retry', 'upstream_retry']);
  expect(steps.filter((s) => s.type === 'model.response')).toHaveLength(1);
});

test('a stream is never retried after its first byte', async () => {
  up.enqueue({ kind: 'disconnect', afterEvents: 1 });
  const { gateway } = await gatewayFor('best_effort', 'disconnect', { retries: 3 });
  const got = await call(gateway, true);
  await gateway.close({ drainTimeoutMs: 200 });
  expect(got.cut).toBe(true);
  expect(up.received).toHaveLength(1);
});

test('--fail-on-synthetic: a fallback is still served, but is an error.event', async () => {
  up.enqueue({ kind: 'error', status: 500 });
  const { gateway, artifact } = await gatewayFor('synthetic_allowed', '5xx', {
    failOnSynthetic: true,
  });
  const got = await call(gateway, false);
  const health = gateway.health();
  await gateway.close();
  expect(got).toMatchObject({ status: 200, source: 'synthetic' });
  expect(health).toMatchObject({ degraded: true, counts: { synthetic: 1 } });
  const steps = (await loadCassette(artifact)).steps;
  expect(events(steps)).toEqual(['upstream_5xx', 'E_SYNTHETIC_FORBIDDEN']);
});
