/** What `replaypack replay` and `replaypack assert` print for people. */
import { countPhrases } from '../cassette/summary.ts';
import type { ReplaySummary } from './parity.ts';

export function formatReplay(s: ReplaySummary): string {
  const { counts, states } = countPhrases(s.counts, s.streams);
  const rows: [string, string][] = [
    ['exchanges', `${s.served} of ${s.exchanges} replayed offline`],
    [
      'steps',
      `${s.compared} compared${s.not_compared ? `, ${s.not_compared} not compared` : ''}${counts ? `  (${counts})` : ''}`,
    ],
    ['streams', `${s.streams.total}${states ? `  (${states})` : ''}`],
    ['hash', s.replayed_hash],
  ];
  const lines = [
    `${s.file}: ${s.equal ? 'replay matches the recording' : 'replay DIVERGES from the recording'}`,
  ];
  for (const [name, value] of rows) lines.push(`  ${name.padEnd(10)} ${value}`);
  if (!s.equal && s.recorded_hash !== s.replayed_hash) {
    lines.push(`  ${'recorded'.padEnd(10)} ${s.recorded_hash}`);
  }
  return `${lines.join('\n')}\n`;
}
