/**
 * `replaypack diff A B [--ignore-path P]... [--json] [--html FILE] [--markdown] [--prices FILE]`:
 * the first divergence between two cassettes, then every compared step side by side; `--html`
 * also writes the conversation-level diff page, `--markdown` prints a pull-request summary
 * instead of the text report. Exit 0 when their canonical steps are the same, 1 when they differ
 * (like diff(1)), 3 for an invalid cassette, 4 for an unreadable file.
 */
import path from 'node:path';
import { defineCommand } from 'citty';
import { ExitCode } from '../../errors.ts';
import { loadPriceTable } from '../../pricing/index.ts';
import { formatDiff } from '../../replay/cassette-diff.ts';
import { displayPath } from '../../replay/parity.ts';
import { buildDiff, formatMarkdown, writePage } from '../../viewer/index.ts';
import { ignorePathArg, repeated } from '../args.ts';

export default defineCommand({
  meta: { name: 'diff', description: 'Compare two .rpk cassettes step by step' },
  args: {
    a: { type: 'positional', required: true, description: 'The recorded (expected) .rpk file' },
    b: { type: 'positional', required: true, description: 'The .rpk file to compare with it' },
    'ignore-path': ignorePathArg,
    json: { type: 'boolean', description: 'Print the comparison as one JSON object' },
    html: { type: 'string', description: 'Also write the conversation-level diff as an HTML page' },
    markdown: {
      type: 'boolean',
      description: 'Print a markdown summary for a pull-request comment',
    },
    prices: { type: 'string', description: 'A JSON price table merged over the built-in one' },
  },
  async run({ args, rawArgs }) {
    const ignorePaths = repeated(rawArgs, '--ignore-path');
    const prices = args.prices ? await loadPriceTable(String(args.prices)) : undefined;
    const { data, result } = await buildDiff(String(args.a), String(args.b), {
      ignorePaths,
      ...(prices ? { prices } : {}),
    });
    let html: string | undefined;
    if (args.html) {
      html = String(args.html);
      await writePage(
        html,
        data,
        null,
        `${path.basename(String(args.a))} → ${path.basename(String(args.b))} · ReplayKit diff`,
      );
    }
    if (args.markdown) {
      // REPLAYKIT_DIFF_URL: where the page will be reachable (a CI artifact's address).
      const link = process.env.REPLAYKIT_DIFF_URL || (html ? displayPath(html) : undefined);
      process.stdout.write(formatMarkdown(data, link));
    } else if (args.json) {
      process.stdout.write(
        `${JSON.stringify(html ? { ...result, html: displayPath(html) } : result, null, 2)}\n`,
      );
    } else {
      process.stdout.write(formatDiff(result));
      if (html) process.stdout.write(`\nHTML diff: ${displayPath(html)}\n`);
    }
    if (!result.equal) process.exitCode = ExitCode.checkFailed;
  },
});
