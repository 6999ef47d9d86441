/** `replaypack prune [DIR] --keep N --max-age D`: retention for listener artifacts. */
import { defineCommand } from 'citty';
import { pruneArtifacts } from '../../listener/prune.ts';

export default defineCommand({
  meta: { name: 'prune', description: 'Delete old listener artifacts (.rpk) from a directory' },
  args: {
    dir: {
      type: 'positional',
      required: false,
      description: 'Directory (default .replaykit/recordings)',
    },
    keep: { type: 'string', description: 'Keep the newest N artifacts' },
    'max-age': { type: 'string', description: 'Delete artifacts older than this (7d, 12h, 30m)' },
    'dry-run': { type: 'boolean', description: 'Only list what would be deleted' },
    json: { type: 'boolean', description: 'Print one JSON object' },
  },
  async run({ args }) {
    const r = await pruneArtifacts({
      ...(args.dir ? { dir: String(args.dir) } : {}),
      ...(args.keep !== undefined ? { keep: Number(args.keep) } : {}),
      ...(args['max-age'] !== undefined ? { maxAge: String(args['max-age']) } : {}),
      dryRun: Boolean(args['dry-run']),
    });
    if (args.json) return void process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    const verb = r.dry_run ? 'would remove' : 'removed';
    for (const f of r.removed) process.stdout.write(`${verb} ${f}\n`);
    for (const f of r.in_use) process.stdout.write(`kept (a running listener writes it) ${f}\n`);
    process.stdout.write(
      `${r.removed.length} ${verb}, ${r.kept.length + r.in_use.length} kept in ${r.dir}\n`,
    );
  },
});
