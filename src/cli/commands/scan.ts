import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { defineCommand } from 'citty';
import { glob, isDynamicPattern } from 'tinyglobby';
import { ExitCode, formatMessage, ReplayKitError, UsageError } from '../../errors.ts';
import { createDetector } from '../../redaction/detectors.ts';
import { type ScanFinding, scanFile } from '../../redaction/scan.ts';

/** Progress is only worth drawing when there is a human watching a long scan. */
const PROGRESS_FROM = 20;

export default defineCommand({
  meta: {
    name: 'scan',
    description:
      'Scan cassettes, logs and other artifacts for secrets and PII with the redaction detectors',
  },
  args: {
    paths: {
      type: 'positional',
      required: true,
      description: 'Files, directories or globs (quote globs)',
    },
    json: { type: 'boolean', description: 'Print { findings, files_scanned } as JSON' },
    pii: {
      type: 'boolean',
      default: true,
      description: 'Report emails, phones, card numbers (--no-pii to skip)',
    },
  },
  async run({ args }) {
    const inputs = args._.length > 0 ? args._ : [args.paths];
    const files = await expand(inputs);
    const detect = createDetector({ pii: args.pii });
    const findings: ScanFinding[] = [];
    const progress = files.length >= PROGRESS_FROM && process.stderr.isTTY === true;
    for (const [i, file] of files.entries()) {
      if (progress) process.stderr.write(`\rscanning ${i + 1}/${files.length}`);
      try {
        findings.push(...(await scanFile(file, detect)));
      } catch (error) {
        if (progress) process.stderr.write('\n');
        throw unreadable(file, error);
      }
    }
    if (progress) process.stderr.write('\r\x1b[K');
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ findings, files_scanned: files.length }, null, 2)}\n`,
      );
    } else {
      for (const f of findings) {
        const matched = f.matched === undefined ? '' : ` (${f.matched})`;
        process.stdout.write(`${f.file}:${f.line}: ${f.detector}${matched}\n`);
      }
      const where = new Set(findings.map((f) => f.file)).size;
      process.stderr.write(
        `${formatMessage(
          findings.length === 0
            ? `No secrets found in ${files.length} file(s).`
            : `Found ${findings.length} possible secret(s) in ${where} of ${files.length} file(s). Redact or delete them before committing.`,
        )}\n`,
      );
    }
    process.exitCode = findings.length > 0 ? ExitCode.checkFailed : ExitCode.ok;
  },
});

/** Plain paths must exist (a typo is an error, not a clean scan); directories are walked. */
async function expand(inputs: string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const input of inputs) {
    if (input === '')
      throw new UsageError(
        'Failed to scan: an empty path was given. Pass files, directories or globs',
      );
    if (isDynamicPattern(input)) {
      const matched = await glob(input, {
        dot: true,
        onlyFiles: true,
        expandDirectories: false,
        // Report files the way the user named them: absolute patterns give absolute paths.
        absolute: isAbsolute(input),
      });
      if (matched.length === 0) {
        throw new ReplayKitError(
          'E_SCAN_NO_MATCH',
          `Failed to scan "${input}": no file matches. Check the pattern (quote it so the shell does not expand it)`,
        );
      }
      for (const f of matched.sort()) out.add(f);
      continue;
    }
    const info = await stat(input).catch((error: unknown) => {
      throw unreadable(input, error);
    });
    if (info.isDirectory()) {
      const base = input.replace(/[\\/]+$/, '');
      const matched = await glob('**/*', {
        cwd: base,
        dot: true,
        onlyFiles: true,
        ignore: ['**/node_modules/**', '**/.git/**'],
      });
      for (const f of matched.sort()) out.add(join(base, f));
    } else {
      out.add(input);
    }
  }
  return [...out];
}

function unreadable(file: string, error: unknown): ReplayKitError {
  const reason = (error as NodeJS.ErrnoException)?.code ?? String(error);
  return new ReplayKitError(
    'E_SCAN_UNREADABLE',
    `Failed to scan "${file}": ${reason}. Check that the path exists and is readable`,
    { cause: error, exitCode: ExitCode.environment },
  );
}
