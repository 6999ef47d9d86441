/**
 * The listener's capture alone, without sockets: CPU per exchange of createListenerCapture fed
 * the hook calls of one 20-event Chat Completions stream (the listener-gateway workload), writing
 * a real cassette. Usage: node bench/listener-capture.ts [exchanges]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createListenerCapture } from '../src/listener/capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'capb-'));
const cap = createListenerCapture({ artifact: join(dir, 'a.rpk') });
const BODY = Buffer.from(
  JSON.stringify({ model: 'gpt-bench', messages: [{ role: 'user', content: 'hi' }] }),
);
const chunk = (i: number) =>
  Buffer.from(
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'gpt-bench', choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] })}\n\n`,
  );
const chunks = Array.from({ length: 20 }, (_, i) => chunk(i));
const headers = {
  'content-type': 'application/json',
  authorization: 'Bearer sk-test-FAKE',
  'content-length': '60',
  host: '127.0.0.1:1',
  connection: 'keep-alive',
};
const upHeaders = {
  'content-type': 'text/event-stream',
  date: 'Tue, 24 Nov 2026 03:00:00 GMT',
  connection: 'keep-alive',
  'transfer-encoding': 'chunked',
};
let id = 0;
function one() {
  const rec = cap.open({
    correlation_id: `lx-${++id}`,
    offset_ms: 0,
    transport: 'http',
    route: null,
    method: 'POST',
    url: '/v1/chat/completions?stream',
    headers,
  })!;
  rec.requestBody!(BODY, 0);
  rec.responseHead!(200, upHeaders, 0);
  for (const c of chunks) rec.responseChunk!(c, 0);
  rec.responseChunk!(Buffer.from('data: [DONE]\n\n'), 0);
  rec.responseEnd!(0);
}
const N = Number(process.argv[2] ?? 3000);
for (let i = 0; i < 500; i++) one();
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  one();
  if (i % 64 === 0) await new Promise(setImmediate);
}
const c = process.cpuUsage(c0);
console.log(
  `${(((performance.now() - t0) * 1000) / N).toFixed(1)} us wall, ${((c.user + c.system) / N).toFixed(1)} us cpu per exchange`,
);
await cap.close();
rmSync(dir, { recursive: true, force: true });
