/**
 * `replaypack inspect FILE... [--json] [--prices FILE]`: validates cassettes and summarises them,
 * with the tokens their responses used and what those would cost live. Every path is checked (a
 * shell glob gives several, issue 22). Exit 0 when all are valid; else the worst status of those
 * that are not: 3 with the reader's `file:line: what` message, 4 when a file cannot be read.
 */
import { defineCommand } from 'citty';
import { formatSummary, summarizeCassette } from '../../cassette/summary.ts';
import { ReplayKitError } from '../../errors.ts';
import { normalizeStep } from '../../pipeline/canonical.ts';
import {
  BUILT_IN_PRICES,
  loadPriceTable,
  stepUsageCounter,
  UsageTally,
} from '../../pricing/index.ts';

export default defineCommand({
  meta: { name: 'inspect', description: 'Validate .rpk cassettes and summarise them' },
  args: {
    file: { type: 'positional', required: true, description: 'The .rpk file(s)' },
    json: {
      type: 'boolean',
      description: 'Print the summary as JSON (an array for several files)',
    },
    prices: { type: 'string', description: 'A price table JSON merged over the built-in one' },
  },
  async run({ args }) {
    const files = args._.map(String);
    const table = args.prices ? await loadPriceTable(String(args.prices)) : BUILT_IN_PRICES;
    const out: unknown[] = [];
    const failed: ReplayKitError[] = [];
    for (const file of files) {
      const tally = new UsageTally(table);
      try {
        const summary = await summarizeCassette(file, {
          normalize: normalizeStep,
          onStep: stepUsageCounter(tally),
        });
        const full = { ...summary, usage: tally.usage(), cost: tally.cost() };
        if (args.json) out.push(full);
        else process.stdout.write(formatSummary(summary));
      } catch (error) {
        if (!(error instanceof ReplayKitError)) throw error;
        // Scripts reading --json still get an object per file; the message goes to stderr.
        if (args.json) out.push({ file, valid: false, error: error.message });
        if (files.length === 1) {
          if (args.json) process.stdout.write(`${JSON.stringify(out[0], null, 2)}\n`);
          throw error;
        }
        process.stderr.write(`${error.message}\n`);
        failed.push(error);
      }
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify(files.length === 1 ? out[0] : out, null, 2)}\n`);
    }
    if (failed.length > 0) {
      throw new ReplayKitError(
        failed.some((e) => e.exitCode === 4) ? 'E_CASSETTE_READ' : 'E_CASSETTE_FORMAT',
        `Failed to inspect ${failed.length} of ${files.length} cassettes: see the messages above. Fix or re-record them.`,
        { exitCode: Math.max(...failed.map((e) => e.exitCode)) as 3 | 4 },
      );
    }
  },
});
