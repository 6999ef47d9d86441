/**
 * The end-of-run report: which cassettes the run used, which were missing, and which (under the
 * `autoCassette` folders of the test files that ran) no current test owns any more.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { LedgerEntry } from './ledger.ts';

export interface RunReport {
  used: { cassette: string; outcome: LedgerEntry['outcome']; unusedExchanges: number }[];
  missing: string[];
  unused: string[];
}

/**
 * @param entries what the workers noted
 * @param folders `autoCassette` folder of each test file that ran
 * @param owned the `autoCassette` path of every test those files declare (run or skipped), so a
 *   `-t` filter never makes the cassettes of filtered-out tests look unused
 */
export function buildReport(
  entries: LedgerEntry[],
  folders: string[],
  owned: Set<string>,
): RunReport {
  const byCassette = new Map<string, LedgerEntry>();
  for (const entry of entries) {
    const previous = byCassette.get(entry.cassette);
    // A cassette used by several tests: the worst outcome wins.
    if (!previous || rank(entry) > rank(previous)) byCassette.set(entry.cassette, entry);
  }
  const used = [...byCassette.values()].filter((e) => e.outcome !== 'missing');
  const missing = [...byCassette.values()].filter((e) => e.outcome === 'missing');
  const unused: string[] = [];
  for (const folder of new Set(folders)) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      const file = path.join(folder, name);
      if (name.endsWith('.rpk') && !owned.has(file) && !byCassette.has(file)) unused.push(file);
    }
  }
  return {
    used: used
      .map(({ cassette, outcome, unusedExchanges }) => ({ cassette, outcome, unusedExchanges }))
      .sort(byName),
    missing: missing.map((e) => e.cassette).sort(),
    unused: unused.sort(),
  };
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
    lines.push('  Unused cassettes belong to no current test: delete them if the test is gone.');
  return `${lines.join('\n')}\n`;
}
