/**
 * Polly.js over the benchmark workload: its fetch adapter patches `globalThis.fetch`, and the
 * workload builds its SDK clients after set-up, so they call the patched fetch. The workload is
 * recorded once (per machine and N) against the fake upstream into Polly's own HAR recording.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import FetchAdapter from '@pollyjs/adapter-fetch';
import { Polly, type PollyConfig } from '@pollyjs/core';
import FSPersister from '@pollyjs/persister-fs';
import { startFakeUpstream } from '../test/support/fake-upstream/index.ts';
import { BENCH_DIR, N, runWorkload } from './workload.ts';

// Both packages set `module.exports` to the class, but their types declare `export default`, which
// TypeScript (NodeNext) reads as `module.exports.default`: the import is the class at run time.
const Adapter = FetchAdapter as unknown as typeof FetchAdapter.default;
const Persister = FSPersister as unknown as typeof FSPersister.default;

const recordingsDir = path.join(BENCH_DIR, `polly-${N}`);

function config(mode: 'record' | 'replay'): PollyConfig {
  return {
    mode,
    adapters: [Adapter],
    persister: Persister,
    persisterOptions: { fs: { recordingsDir } },
    // A miss must fail, not go to the network.
    recordIfMissing: false,
    logLevel: 'silent',
    matchRequestsBy: {
      // The OpenAI SDK sends a fresh Idempotency-Key on every POST, so headers never match twice;
      // nock in this bench does not match headers either. The recording's port is the fake
      // upstream's, which changes every run.
      headers: false,
      url: { port: false },
    },
  };
}

/** Records the workload into Polly's recording once; later runs reuse it. */
export async function pollyRecording(): Promise<void> {
  const marker = path.join(recordingsDir, 'complete');
  if (existsSync(marker)) return;
  const up = await startFakeUpstream();
  const polly = new Polly(`mixed-${N}`, config('record'));
  try {
    await runWorkload(up.url);
  } finally {
    await polly.stop();
    await up.close();
  }
  writeFileSync(marker, '');
}

/** Replays `n` exchanges through Polly; start-up and loading the recording are included. */
export async function pollyReplay(origin: string, n = N): Promise<string[]> {
  const polly = new Polly(`mixed-${N}`, config('replay'));
  try {
    return await runWorkload(origin, n);
  } finally {
    await polly.stop();
  }
}
