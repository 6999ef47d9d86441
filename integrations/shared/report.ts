/**
 * The end-of-run report: which cassettes the run used, which were missing, which no test used,
 * and the tokens served from cassettes with what they would have cost live (issue 20 items 3-4).
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  BUILT_IN_PRICES,
  type CostReport,
  cliName,
  formatCost,
  type PriceTable,
  type UsageReport,
  UsageTally,
} from '../../src/integration.ts';
import type { LedgerEntry } from './ledger.ts';

export interface RunReport {
  used: { cassette: string; outcome: LedgerEntry['outcome']; unusedExchanges: number }[];
  missing: string[];
  unused: string[];
  /** Tokens served from cassettes in this run, and their live cost; null when none were. */
  served: { usage: UsageReport; cost: CostReport } | null;
}

export interface ReportScope {
  /** `autoCassette` folder of each test file that ran (and loaded). */
  folders: string[];
  /**
   * The `autoCassette` path of every test those files declare (run or skipped), so a `-t` filter
   * never makes the cassettes of filtered-out tests look unused.
   */
  owned: Set<string>;
  /** The project root and the cassette root under it, for cassettes whose test file is gone. */
  root?: string;
  cassetteRoot?: string;
  prices?: PriceTable;
}

export function buildReport(entries: LedgerEntry[], scope: ReportScope): RunReport {
  const byCassette = new Map<string, LedgerEntry>();
  const tally = new UsageTally(scope.prices ?? BUILT_IN_PRICES);
  for (const entry of entries) {
    const previous = byCassette.get(entry.cassette);
    // A cassette used by several tests: the worst outcome wins.
    if (!previous || rank(entry) > rank(previous)) byCassette.set(entry.cassette, entry);
    for (const s of entry.served ?? []) {
      for (let i = 0; i < s.times; i++) tally.add(s.provider, s.model, s.usage);
    }
  }
  const used = [...byCassette.values()].filter((e) => e.outcome !== 'missing');
  const missing = [...byCassette.values()].filter((e) => e.outcome === 'missing');
  const unused = new Set<string>();
  const ran = new Set(scope.folders);
  for (const folder of ran) {
    for (const file of rpkFiles(folder, false)) {
      if (!scope.owned.has(file) && !byCassette.has(file)) unused.add(file);
    }
  }
  if (scope.root && scope.cassetteRoot) {
    // Anywhere else under the cassette root, a test's cassettes are judged only when its test
    // ran; a folder named after a test file that no longer exists belongs to no test at all.
    for (const file of rpkFiles(scope.cassetteRoot, true)) {
      const folder = path.dirname(file);
      if (ran.has(folder) || byCassette.has(file) || folder === scope.cassetteRoot) continue;
      const testFile = path.join(scope.root, path.relative(scope.cassetteRoot, folder));
      if (!existsSync(testFile)) unused.add(file);
    }
  }
  return {
    used: used
      .map(({ cassette, outcome, unusedExchanges }) => ({ cassette, outcome, unusedExchanges }))
      .sort(byName),
    missing: missing.map((e) => e.cassette).sort(),
    unused: [...unused].sort(),
    served: tally.empty ? null : { usage: tally.usage(), cost: tally.cost() },
  };
}

function rpkFiles(dir: string, deep: boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && deep) out.push(...rpkFiles(full, true));
    else if (entry.isFile() && entry.name.endsWith('.rpk')) out.push(full);
  }
  return out;
}

const order = { replayed: 0, recorded: 1, diverged: 2, missing: 3 } as const;
const rank = (e: LedgerEntry) => order[e.outcome];
const byName = (a: { cassette: string }, b: { cassette: string }) =>
  a.cassette.localeCompare(b.cassette);

/** Plain text (no colour) so it reads the same in a terminal, a CI log and a test assertion. */
export function formatReport(report: RunReport, cwd: string, rerecord: string): string {
  if (report.used.length + report.missing.length + report.unused.length === 0) return '';
  const rel = (file: string) => path.relative(cwd, file).split(path.sep).join('/');
  const lines = [
    `[replaykit] cassettes: ${report.used.length} used, ${report.missing.length} missing, ${report.unused.length} unused`,
  ];
  for (const u of report.used) {
    const extra =
      u.unusedExchanges > 0
        ? ` (${u.unusedExchanges} recorded exchange${u.unusedExchanges === 1 ? '' : 's'} never requested)`
        : '';
    lines.push(`  ${u.outcome.padEnd(8)} ${rel(u.cassette)}${extra}`);
  }
  for (const m of report.missing) lines.push(`  missing  ${rel(m)}`);
  for (const u of report.unused) lines.push(`  unused   ${rel(u)}`);
  if (report.missing.length > 0) lines.push(`  Record the missing ones: ${rerecord}`);
  if (report.unused.length > 0)
    lines.push(
      `  Unused cassettes belong to no current test: delete them if the test is gone (${cliName()} cassettes --unused --delete).`,
    );
  if (report.served) lines.push(...servedLines(report.served));
  return `${lines.join('\n')}\n`;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * `[replaykit] served from cassettes: 1,234 tokens, $0.0012 if live (prices of 2026-12-01)`, then
 * one line per provider when there are several, and the models the table has no price for.
 */
function servedLines({ usage, cost }: { usage: UsageReport; cost: CostReport }): string[] {
  const money = (n: number) => formatCost(n, cost.currency);
  const lines = [
    `[replaykit] served from cassettes: ${count(usage.tokens.total)} tokens (${count(usage.tokens.input + usage.tokens.cachedInput + usage.tokens.cacheWrite)} in, ${count(usage.tokens.output)} out), ${money(cost.total)} if live (prices of ${cost.pricedAt})`,
  ];
  const providers = Object.entries(usage.providers);
  if (providers.length > 1) {
    for (const [provider, tokens] of providers) {
      lines.push(
        `  ${provider.padEnd(10)} ${count(tokens.total)} tokens, ${money(cost.providers[provider] ?? 0)}`,
      );
    }
  }
  if (cost.unpriced.length > 0) {
    lines.push(
      `  No price for ${cost.unpriced.join(', ')}: not in the cost. Add them with the prices option (docs/CLI.md#price-tables).`,
    );
  }
  return lines;
}
