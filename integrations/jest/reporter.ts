/**
 * `replaykit/jest/reporter`: prints the cassettes used / missing / unused when the run ends.
 * Workers leave their notes as JSON files in a folder this reporter creates and announces through
 * the environment before Jest starts them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPriceTableSync, writeLastRun } from '../../src/integration.ts';
import { autoCassettePath } from '../shared/cassette-path.ts';
import type { LedgerEntry } from '../shared/ledger.ts';
import { DEFAULT_DIR, type ReplayKitOptions } from '../shared/options.ts';
import { buildReport, formatReport } from '../shared/report.ts';
import { LEDGER_ENV } from './ledger-file.ts';

/** Structural view of Jest's `AggregatedResult`. */
interface Results {
  testResults: {
    testFilePath: string;
    testExecError?: unknown;
    testResults: { ancestorTitles: string[]; title: string }[];
  }[];
}

export default class ReplayKitReporter {
  readonly #o: ReplayKitOptions & { root?: string };
  readonly #dir: string;
  readonly #root: string;

  constructor(
    globalConfig: { rootDir?: string },
    options: ReplayKitOptions & { root?: string } = {},
  ) {
    this.#o = options;
    this.#root = options.root ?? globalConfig.rootDir ?? process.cwd();
    this.#dir = mkdtempSync(path.join(tmpdir(), 'replaykit-jest-'));
    process.env[LEDGER_ENV] = this.#dir;
  }

  onRunComplete(_contexts: unknown, results: Results): void {
    const entries: LedgerEntry[] = [];
    for (const name of readdirSync(this.#dir)) {
      entries.push(
        ...(JSON.parse(readFileSync(path.join(this.#dir, name), 'utf8')) as LedgerEntry[]),
      );
    }
    rmSync(this.#dir, { recursive: true, force: true });
    const folders: string[] = [];
    const owned = new Set<string>();
    if (this.#o.autoCassette) {
      for (const file of results.testResults) {
        // A file that did not load ran none of its tests: its cassettes are not unused (issue 22).
        if (file.testExecError || file.testResults.length === 0) continue;
        const at = (names: string[]) =>
          autoCassettePath({
            root: this.#root,
            dir: this.#o.cassetteDir ?? DEFAULT_DIR,
            testFile: file.testFilePath,
            names,
          });
        folders.push(path.dirname(at(['x'])));
        for (const t of file.testResults) owned.add(at([...t.ancestorTitles, t.title]));
      }
    }
    const files = results.testResults
      .map((r) => path.relative(this.#root, r.testFilePath).split(path.sep).join('/'))
      .join(' ');
    const cassetteRoot = path.join(this.#root, this.#o.cassetteDir ?? DEFAULT_DIR);
    const report = buildReport(entries, {
      folders,
      owned,
      ...(this.#o.autoCassette ? { root: this.#root, cassetteRoot } : {}),
      ...(this.#o.prices ? { prices: loadPriceTableSync(this.#o.prices, this.#root) } : {}),
    });
    writeLastRun(this.#root, cassetteRoot, report);
    const text = formatReport(report, process.cwd(), `REPLAYKIT_MODE=record jest ${files}`);
    if (text) process.stderr.write(`\n${text}`);
  }
}
