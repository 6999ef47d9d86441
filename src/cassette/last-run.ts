/**
 * The last run's ledger: what `replaypack cassettes --unused` lists or deletes (issue 20 item 3).
 * It lives in the project's `.replaykit/` (the listener's folder too; not committed) and names
 * absolute paths, so the CLI needs no knowledge of the runner. Not in node_modules/.cache:
 * projects that share one node_modules (workspaces, linked installs) would share one ledger.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LAST_RUN = path.join('.replaykit', 'last-run.json');

export interface LastRun {
  version: 1;
  finished_at: string;
  root: string;
  cassette_root: string;
  used: string[];
  missing: string[];
  unused: string[];
}

export function writeLastRun(
  root: string,
  cassetteRoot: string,
  report: { used: { cassette: string }[]; missing: string[]; unused: string[] },
): void {
  const ledger: LastRun = {
    version: 1,
    finished_at: new Date().toISOString(),
    root,
    cassette_root: cassetteRoot,
    used: report.used.map((u) => u.cassette),
    missing: report.missing,
    unused: report.unused,
  };
  const file = path.join(root, LAST_RUN);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(ledger, null, 2)}\n`);
  } catch {
    // A read-only checkout still gets its report; only `cassettes --unused` will find no ledger.
  }
}

/** The ledger under `root`, or null when no run has written one. */
export function readLastRun(root: string): LastRun | null {
  try {
    const ledger = JSON.parse(readFileSync(path.join(root, LAST_RUN), 'utf8')) as LastRun;
    // A ledger copied from elsewhere judges other files.
    return path.resolve(ledger.root) === path.resolve(root) ? ledger : null;
  } catch {
    return null;
  }
}
