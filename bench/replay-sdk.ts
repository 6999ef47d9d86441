/**
 * (a) Replaying the workload's N exchanges through the real SDKs: replaykit's stub replay against
 * nock 15 serving the same recorded bytes, and the live fake upstream on loopback as the floor.
 * `floor` is the SDKs alone (a fetch returning the recorded responses, no interception).
 * `polly`: Polly.js 6 (fetch adapter, fs persister) replaying its own recording of the workload.
 * Usage: node bench/replay-sdk.ts <replaykit|nock|polly|loopback|floor>; prints one JSON line.
 */
import nock from 'nock';
import { record } from '../src/index.ts';
import { loadCassette } from '../src/pipeline/cassette.ts';
import { bodyBytes, toResponse, wireChunks } from '../src/replay/serve.ts';
import { startFakeUpstream } from '../test/support/fake-upstream/index.ts';
import { pollyRecording, pollyReplay } from './polly.ts';
import { measure, N, runWorkload, workloadCassette } from './workload.ts';

const tool = process.argv[2] ?? 'replaykit';
const { file, origin } = await workloadCassette();
let result: { ms: number; cpu_ms: number; value: string[] };

const WARM = 30;

if (tool === 'replaykit') {
  // Every tool first replays a few exchanges untimed (module loading, JIT).
  await record({ cassette: file, mode: 'replay' }, () => runWorkload(origin, WARM));
  result = await measure(
    async () => (await record({ cassette: file, mode: 'replay' }, () => runWorkload(origin))).value,
  );
} else if (tool === 'nock') {
  const { steps } = await loadCassette(file);
  const setUp = (limit: number) => {
    let n = 0;
    for (const step of steps) {
      if (n++ >= limit * 2) break;
      if (step.type !== 'model.response') continue;
      const request = steps.find(
        (s) => s.type === 'model.request' && s.correlation_id === step.correlation_id,
      );
      if (request?.type !== 'model.request') continue;
      const body = step.stream
        ? [...wireChunks(step.stream)].join('')
        : Buffer.from(bodyBytes(step) ?? []);
      nock(origin).intercept(request.url, request.method).reply(step.status, body, step.headers);
    }
  };
  setUp(WARM);
  await runWorkload(origin, WARM);
  nock.cleanAll();
  // Interceptor set-up is part of nock's replay cost, as loading the cassette is part of ours.
  result = await measure(async () => {
    setUp(N);
    const value = await runWorkload(origin);
    nock.cleanAll();
    return value;
  });
} else if (tool === 'polly') {
  await pollyRecording();
  await pollyReplay(origin, WARM);
  result = await measure(() => pollyReplay(origin));
} else if (tool === 'floor') {
  // The SDKs' own cost: a fetch that hands back the recorded responses in order, with no
  // interception, matching or network at all. No replay tool can go below this.
  const { steps } = await loadCassette(file);
  const responses = steps.filter((s) => s.type === 'model.response');
  let next = 0;
  globalThis.fetch = async (_input, init) => {
    if (init?.body instanceof ReadableStream) await new Response(init.body).arrayBuffer();
    const step = responses[next++ % responses.length]!;
    return toResponse(step);
  };
  await runWorkload(origin, WARM);
  next = 0;
  result = await measure(() => runWorkload(origin));
} else {
  const up = await startFakeUpstream();
  await runWorkload(up.url, WARM);
  result = await measure(() => runWorkload(up.url));
  await up.close();
}
const ok = result.value.length === N && result.value.every((t) => t.length > 0);
process.stdout.write(
  `${JSON.stringify({ bench: 'replay-sdk', tool, n: N, ms: result.ms, cpu_ms: result.cpu_ms, ok })}\n`,
);
