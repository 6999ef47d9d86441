/**
 * `replaypack inspect FILE [--json]`: validates a cassette and summarises it. Exit 0 when valid;
 * 3 with the reader's `file:line: what` message when not; 4 when the file cannot be read.
 */
import { defineCommand } from 'citty';
import { formatSummary, summarizeCassette } from '../../cassette/summary.ts';
import { ReplayKitError } from '../../errors.ts';
import { normalizeStep } from '../../pipeline/canonical.ts';

export default defineCommand({
  meta: { name: 'inspect', description: 'Validate a .rpk cassette and summarise it' },
  args: {
    file: { type: 'positional', required: true, description: 'The .rpk file' },
    json: { type: 'boolean', description: 'Print the summary as one JSON object' },
  },
  async run({ args }) {
    const file = String(args.file);
    try {
      const summary = await summarizeCassette(file, { normalize: normalizeStep });
      process.stdout.write(
        args.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary),
      );
    } catch (error) {
      // Scripts reading --json still get an object; the message itself goes to stderr via runCli.
      if (args.json && error instanceof ReplayKitError) {
        process.stdout.write(
          `${JSON.stringify({ file, valid: false, error: error.message }, null, 2)}\n`,
        );
      }
      throw error;
    }
  },
});
