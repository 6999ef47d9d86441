/**
 * Profiles replaykit's replay of bench/replay-openai.ts's workload (run that first: it records
 * the cassette): `node --cpu-prof --cpu-prof-dir=<dir> bench/replay-openai-profile.ts [rounds] [canned]`,
 * then `node bench/cpu-top.ts <dir>/*.cpuprofile` for the self time per function and per file.
 */
import path from 'node:path';
import OpenAI from 'openai';
import { record } from '../src/index.ts';
import { BENCH_DIR, N } from './workload.ts';

const rounds = Number(process.argv[2] ?? 3);
// `canned`: the same calls against the canned-response fetch, to subtract the SDK's own share.
const canned = process.argv[3] === 'canned';
const file = path.join(BENCH_DIR, `openai-${N}.rpk`);
const openaiWorkload = async () => {
  const openai = new OpenAI({
    apiKey: 'sk-test-FAKE',
    baseURL: 'http://127.0.0.1:59999/v1',
    maxRetries: 0,
  });
  for (let i = 0; i < N; i++) {
    const messages = [{ role: 'user' as const, content: `question ${i}` }];
    if (i % 2) await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    else {
      const s = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        stream: true,
      });
      for await (const _ of s);
    }
  }
};
if (canned) {
  const { loadCassette } = await import('../src/pipeline/cassette.ts');
  const { served } = await import('../src/replay/serve.ts');
  const answers = (await loadCassette(file)).steps.flatMap((s) =>
    s.type === 'model.response' ? [served(s)] : [],
  );
  let next = 0;
  globalThis.fetch = async () => {
    const a = answers[next++ % answers.length]!;
    const chunks = a.chunks ?? [];
    let i = 0;
    const body =
      chunks.length === 1
        ? (chunks[0] as Buffer<ArrayBuffer>)
        : new ReadableStream<Uint8Array>({
            pull(c) {
              if (i < chunks.length) c.enqueue(chunks[i++]!);
              else c.close();
            },
          });
    return new Response(body, { status: a.status, headers: a.headers });
  };
}
for (let k = 0; k < rounds; k++) {
  const t = performance.now();
  if (canned) await openaiWorkload();
  else await record({ cassette: file, mode: 'replay' }, openaiWorkload);
  process.stderr.write(`round ${k}: ${Math.round(performance.now() - t)} ms\n`);
}
