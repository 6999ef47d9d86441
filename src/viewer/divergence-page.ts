/**
 * The HTML diff a failed parity check leaves behind (issue 19 item 2): the recording against what
 * the run produced, at conversation level, written where test reports go so a CI job can keep it
 * as an artifact. The folder is `$REPLAYKIT_REPORT_DIR`, else `replaykit-report/` in the working
 * directory (the project root under Vitest and Jest).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { DivergenceTrace } from '../capture/parity.ts';
import { Provider, type Step } from '../cassette/schema.ts';
import type { ReplayDivergenceError } from '../replay/divergence.ts';
import { displayPath } from '../replay/parity.ts';
import { diffSteps } from './build-diff.ts';
import { writePage } from './index.ts';

export function reportDir(): string {
  return path.resolve(process.env.REPLAYKIT_REPORT_DIR || 'replaykit-report');
}

/** `name-<6 hex of the full path>.diff.html`: two `chat.rpk` in different folders keep their own. */
export function divergencePagePath(cassette: string, dir = reportDir()): string {
  const id = createHash('sha256').update(path.resolve(cassette)).digest('hex').slice(0, 6);
  return path.join(dir, `${path.basename(cassette, path.extname(cassette))}-${id}.diff.html`);
}

/**
 * A live request that matched nothing was never served, so the run's trace lacks it; the report
 * has it (as compared, normalised): put it back as the run's last request, so the page shows
 * what was asked instead of an exchange that merely went missing.
 */
function withLiveRequest(produced: Step[], error: ReplayDivergenceError): Step[] {
  const { live, provider, endpoint } = error.details;
  if (!live) return produced;
  const compared = live.compared as { body?: unknown } | null;
  const body =
    typeof compared === 'object' && compared !== null && 'body' in compared
      ? compared.body
      : compared;
  return [
    ...produced,
    {
      type: 'model.request',
      index: produced.length,
      correlation_id: 'replaykit-live-request',
      provider: Provider.safeParse(provider).success ? (provider as Provider) : 'unknown',
      endpoint,
      offset_ms: 0,
      method: live.method,
      url: live.url,
      transport: 'http',
      stream: false,
      headers: {},
      body,
    },
  ];
}

export async function writeDivergencePage(
  error: ReplayDivergenceError,
  trace: DivergenceTrace,
  dir = reportDir(),
): Promise<string> {
  const name = displayPath(trace.cassette);
  const first = {
    message: error.message.replace(/^\[replaykit\] /, ''),
    path: error.details.difference?.path ?? null,
    exchange: error.details.exchange,
  };
  const data = diffSteps(
    { file: name, header: trace.header, steps: trace.recorded },
    {
      file: 'this run',
      header: { ...trace.header, run_id: 'this run', response_source: 'replay' },
      steps: withLiveRequest(trace.produced, error),
    },
    first,
  );
  data.equal = false;
  const out = divergencePagePath(trace.cassette, dir);
  await writePage(out, data, null, `${path.basename(trace.cassette)} diverged · ReplayKit diff`);
  return out;
}
