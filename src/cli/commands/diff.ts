/**
 * `replaypack diff A B [--ignore-path P]... [--json]`: the first divergence between two cassettes, then every compared
 * step side by side. Exit 0 when their canonical steps are the same, 1 when they differ (like
 * diff(1)), 3 for an invalid cassette, 4 for an unreadable file.
 */
import { defineCommand } from 'citty';
import { ExitCode } from '../../errors.ts';
import { diffCassettes, formatDiff } from '../../replay/cassette-diff.ts';
import { ignorePathArg, repeated } from '../args.ts';

export default defineCommand({
  meta: { name: 'diff', description: 'Compare two .rpk cassettes step by step' },
  args: {
    a: { type: 'positional', required: true, description: 'The recorded (expected) .rpk file' },
    b: { type: 'positional', required: true, description: 'The .rpk file to compare with it' },
    'ignore-path': ignorePathArg,
    json: { type: 'boolean', description: 'Print the comparison as one JSON object' },
  },
  async run({ args, rawArgs }) {
    const ignorePaths = repeated(rawArgs, '--ignore-path');
    const result = await diffCassettes(String(args.a), String(args.b), { ignorePaths });
    process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : formatDiff(result));
    if (!result.equal) process.exitCode = ExitCode.checkFailed;
  },
});
