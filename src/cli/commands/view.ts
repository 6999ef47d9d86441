/**
 * `replaypack view FILE.rpk [--out FILE.html] [--open] [--prices FILE] [--json]`: writes one
 * self-contained HTML page for a cassette (docs/VIEWER.md). Exit 0 when written; 3 for an invalid
 * cassette or price table; 4 for an unreadable file.
 */
import { spawn } from 'node:child_process';
import { defineCommand } from 'citty';
import { loadPriceTable } from '../../pricing/index.ts';
import { displayPath } from '../../replay/parity.ts';
import { writeViewer } from '../../viewer/index.ts';

/**
 * Opens a file in the user's browser without waiting for it. `$BROWSER` (the convention
 * xdg-utils and Python's webbrowser share) wins; else the platform's opener.
 */
export function openInBrowser(file: string): void {
  const browser = process.env.BROWSER;
  const [command, args] = browser
    ? [browser, [file]]
    : process.platform === 'darwin'
      ? ['open', [file]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', file]]
        : ['xdg-open', [file]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () =>
      process.stderr.write(`[replaykit] could not open a browser; open ${file} yourself\n`),
    );
    child.unref();
  } catch {
    process.stderr.write(`[replaykit] could not open a browser; open ${file} yourself\n`);
  }
}

export default defineCommand({
  meta: {
    name: 'view',
    description: 'Write a self-contained HTML viewer page for a .rpk cassette',
  },
  args: {
    file: { type: 'positional', required: true, description: 'The .rpk file' },
    out: {
      type: 'string',
      description: 'Where to write the page (default: FILE.html beside FILE)',
    },
    open: { type: 'boolean', description: 'Open the page in a browser once written' },
    prices: { type: 'string', description: 'A JSON price table merged over the built-in one' },
    json: { type: 'boolean', description: 'Print the result as one JSON object' },
  },
  async run({ args }) {
    const prices = args.prices ? await loadPriceTable(String(args.prices)) : undefined;
    const file = String(args.file);
    const result = await writeViewer(file, {
      ...(args.out ? { out: String(args.out) } : {}),
      ...(prices ? { prices } : {}),
      name: displayPath(file),
    });
    const out = displayPath(result.out);
    if (args.json)
      process.stdout.write(
        `${JSON.stringify({ ...result, file: displayPath(file), out }, null, 2)}\n`,
      );
    else {
      process.stdout.write(
        `${out}: viewer for ${displayPath(file)} (${result.exchanges} exchange${result.exchanges === 1 ? '' : 's'}, ${(result.bytes / 1024).toFixed(0)} KB)\n`,
      );
    }
    if (args.open) openInBrowser(result.out);
  },
});
