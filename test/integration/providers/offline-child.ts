/**
 * Child process of offline.test.ts, started with the network off (test/support/network-off.ts):
 * replays each given cassette with its scenario's SDK code in strict replay mode and prints what
 * the SDK returned, one JSON line per scenario. Argument: JSON `[{ key, cassette, origin, prompt }]`.
 */
import { record } from '../../../src/index.ts';
import { RUNS } from './runs.ts';

const jobs = JSON.parse(process.argv[2] ?? '[]') as {
  key: string;
  cassette: string;
  origin: string;
  prompt: string;
}[];
for (const job of jobs) {
  const run = RUNS[job.key];
  if (!run) throw new Error(`no run for ${job.key}`);
  const env = { origin: job.origin, port: Number(new URL(job.origin).port) };
  const result = await record({ cassette: job.cassette, mode: 'replay', strict: true }, () =>
    run(env, job.prompt),
  );
  process.stdout.write(`${JSON.stringify({ key: job.key, value: result.value })}\n`);
}
