/**
 * `replaypack cassettes [DIR] --unused [--delete] | --stale DAYS [--json]`: cassette hygiene
 * (issue 20 item 3). `--unused` lists (or deletes) the cassettes the last test run found no test
 * using, from the ledger the Vitest and Jest reporters write; without one it refuses, because
 * only a run knows which tests exist. `--stale DAYS` lists recordings older than DAYS days.
 */
import { statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { defineCommand } from 'citty';
import { cassetteAges } from '../../cassette/ages.ts';
import { LAST_RUN, readLastRun } from '../../cassette/last-run.ts';
import { cliName } from '../../cli-name.ts';
import { ReplayKitError, UsageError } from '../../errors.ts';

export default defineCommand({
  meta: {
    name: 'cassettes',
    description: 'List unused or stale cassettes (and delete unused ones)',
  },
  args: {
    dir: {
      type: 'positional',
      required: false,
      description: 'Cassette folder (default cassettes)',
    },
    unused: { type: 'boolean', description: "Cassettes the last test run's report found unused" },
    delete: { type: 'boolean', description: 'With --unused: delete them' },
    stale: { type: 'string', description: 'Cassettes recorded more than DAYS days ago' },
    json: { type: 'boolean', description: 'Print one JSON object' },
  },
  async run({ args }) {
    const dir = path.resolve(String(args.dir ?? 'cassettes'));
    if (!args.unused && args.stale === undefined) {
      throw new UsageError(
        `Failed to run "replaypack cassettes": say what to list, --unused or --stale DAYS. Run "${cliName()} cassettes --help" for its flags.`,
      );
    }
    if (args.delete && !args.unused) {
      throw new UsageError(
        'Failed to run "replaypack cassettes": --delete deletes only what --unused lists. Add --unused.',
      );
    }
    const result: Record<string, unknown> = { dir };
    if (args.unused) result.unused = unused(dir, !!args.delete, !!args.json);
    if (args.stale !== undefined) result.stale = stale(dir, String(args.stale), !!args.json);
    if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  },
});

function unused(dir: string, remove: boolean, json: boolean) {
  const root = process.cwd();
  const ledger = readLastRun(root);
  if (!ledger) {
    throw new ReplayKitError(
      'E_NO_LEDGER',
      `Failed to list unused cassettes: no ledger of a test run in "${path.join(root, LAST_RUN)}". Run your tests once with the Vitest plugin or the Jest reporter (autoCassette on, report on) from this folder, then try again.`,
    );
  }
  const since = Date.parse(ledger.finished_at);
  const files: string[] = [];
  const kept: string[] = [];
  for (const file of ledger.unused) {
    if (!file.startsWith(dir + path.sep)) continue;
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat) continue;
    // Written after the run that judged it (re-recorded since): that judgement no longer holds.
    if (stat.mtimeMs > since) kept.push(file);
    else files.push(file);
  }
  if (remove) for (const file of files) unlinkSync(file);
  if (!json) {
    const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');
    for (const f of files) process.stdout.write(`${remove ? 'deleted' : 'unused '} ${rel(f)}\n`);
    for (const f of kept) process.stdout.write(`kept    ${rel(f)} (written after the run)\n`);
    process.stdout.write(
      `${files.length} unused cassette${files.length === 1 ? '' : 's'}${remove ? ' deleted' : ''} (run of ${ledger.finished_at})${files.length > 0 && !remove ? `; delete them with "${cliName()} cassettes --unused --delete"` : ''}\n`,
    );
  }
  return { run: ledger.finished_at, files, deleted: remove, kept };
}

function stale(dir: string, value: string, json: boolean) {
  const days = Number(value);
  if (!Number.isFinite(days) || days < 0 || value.trim() === '') {
    throw new UsageError(
      `Failed to run "replaypack cassettes": --stale takes a number of days, not "${value}". For example --stale 90.`,
    );
  }
  const files = cassetteAges(dir).filter((a) => a.age_days > days);
  if (!json) {
    const rel = (f: string) => path.relative(process.cwd(), f).split(path.sep).join('/');
    for (const a of files) {
      process.stdout.write(
        `stale   ${rel(a.file)} (recorded ${a.recorded_at.slice(0, 10)}, ${a.age_days} days ago)\n`,
      );
    }
    process.stdout.write(
      `${files.length} cassette${files.length === 1 ? '' : 's'} recorded more than ${days} days ago; re-record with REPLAYKIT_MODE=record\n`,
    );
  }
  return { days, files };
}
