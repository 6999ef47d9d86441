/** The Vitest reporter behind the end-of-run cassette report (added by the plugin). */
import path from 'node:path';
import type { PriceTable } from '../../src/integration.ts';
import { writeLastRun } from '../../src/integration.ts';
import { autoCassettePath } from '../shared/cassette-path.ts';
import type { LedgerEntry } from '../shared/ledger.ts';
import { buildReport, formatReport } from '../shared/report.ts';

export const META_KEY = 'replaykit';

/** Structural views of Vitest's reported tasks (`TestModule`, `TestCase`). */
interface ReportedCase {
  name: string;
  parent: { type: string; name?: string; parent?: unknown };
  meta(): Record<string, unknown>;
}
interface ReportedModule {
  moduleId: string;
  children: { allTests(): Iterable<ReportedCase> };
}

export interface ReporterOptions {
  root: string;
  dir: string;
  autoCassette: boolean;
  prices?: PriceTable;
}

export class CassetteReporter {
  readonly #o: ReporterOptions;
  #done = false;

  constructor(options: ReporterOptions) {
    this.#o = options;
  }

  onTestRunStart(): void {
    this.#done = false;
  }

  onTestRunEnd(modules: ReadonlyArray<ReportedModule>): void {
    if (this.#done) return;
    this.#done = true;
    const entries: LedgerEntry[] = [];
    const folders: string[] = [];
    const owned = new Set<string>();
    for (const module of modules) {
      const tests = [...module.children.allTests()];
      // A file that did not load ran none of its tests: its cassettes are not unused (issue 22).
      if (this.#o.autoCassette && tests.length > 0) {
        folders.push(path.dirname(this.#cassette(module.moduleId, ['x'])));
      }
      for (const test of tests) {
        const noted = test.meta()[META_KEY];
        if (Array.isArray(noted)) entries.push(...(noted as LedgerEntry[]));
        if (this.#o.autoCassette) owned.add(this.#cassette(module.moduleId, names(test)));
      }
    }
    const files = modules.map((m) => path.relative(this.#o.root, m.moduleId)).join(' ');
    const cassetteRoot = path.join(this.#o.root, this.#o.dir);
    const report = buildReport(entries, {
      folders,
      owned,
      ...(this.#o.autoCassette ? { root: this.#o.root, cassetteRoot } : {}),
      ...(this.#o.prices ? { prices: this.#o.prices } : {}),
    });
    writeLastRun(this.#o.root, cassetteRoot, report);
    const text = formatReport(report, process.cwd(), `REPLAYKIT_MODE=record vitest run ${files}`);
    if (text) process.stdout.write(`\n${text}`);
  }

  #cassette(testFile: string, testNames: string[]): string {
    return autoCassettePath({ root: this.#o.root, dir: this.#o.dir, testFile, names: testNames });
  }
}

/** Suite names from the outermost in, then the test's own name. */
function names(test: ReportedCase): string[] {
  const out = [test.name];
  let parent = test.parent as { type: string; name?: string; parent?: unknown } | undefined;
  while (parent && parent.type === 'suite') {
    out.unshift(parent.name ?? '');
    parent = parent.parent as typeof parent;
  }
  return out;
}
