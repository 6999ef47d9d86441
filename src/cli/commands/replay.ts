/**
 * `replaypack replay FILE [--json]`: replays a cassette offline through the stub engine and prints
 * what came back. Exit 0 when the replay reproduces the recording, 1 when it diverges (the first
 * divergence on stderr), 3 for an invalid cassette, 4 for an unreadable file.
 */
import { defineCommand } from 'citty';
import { ReplayDivergenceError } from '../../replay/divergence.ts';
import { replayCassette } from '../../replay/parity.ts';
import { formatReplay } from '../../replay/report.ts';

export default defineCommand({
  meta: { name: 'replay', description: 'Replay a .rpk cassette offline and summarise the result' },
  args: {
    file: { type: 'positional', required: true, description: 'The .rpk file' },
    json: { type: 'boolean', description: 'Print the summary as one JSON object' },
  },
  async run({ args }) {
    const summary = await replayCassette(String(args.file));
    process.stdout.write(
      args.json ? `${JSON.stringify(summary, null, 2)}\n` : formatReplay(summary),
    );
    const first = summary.divergences[0];
    if (first) {
      const { message: _m, ...details } = first;
      throw new ReplayDivergenceError(details);
    }
  },
});
