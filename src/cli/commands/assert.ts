/**
 * `replaypack assert FILE... [--golden FILE] [--ignore-path P]... [--json]`: the parity and
 * determinism gate for CI. Every path is checked (a shell glob gives several, issue 22); with
 * several, the exit status is the worst of them and `--json` prints an array. The
 * cassette is self-replayed twice (both replays must reproduce it, with the same hash); with
 * `--golden`, its canonical steps must also equal the golden cassette's. Exit 0 when all hold, 1
 * on the first divergence (its report on stderr), 3 for an invalid cassette, 4 for an unreadable
 * file.
 */
import { defineCommand } from 'citty';
import { ReplayKitError, UsageError } from '../../errors.ts';
import { diffCassettes } from '../../replay/cassette-diff.ts';
import { type DivergenceDetails, ReplayDivergenceError } from '../../replay/divergence.ts';
import { replayCassette, secondReplayDivergence } from '../../replay/parity.ts';
import { ignorePathArg, repeated } from '../args.ts';

export default defineCommand({
  meta: {
    name: 'assert',
    description: 'Fail unless a .rpk cassette replays to itself (and its golden)',
  },
  args: {
    file: { type: 'positional', required: true, description: 'The .rpk file(s)' },
    golden: { type: 'string', description: 'A golden .rpk whose canonical steps FILE must equal' },
    'ignore-path': ignorePathArg,
    json: { type: 'boolean', description: 'Print the result as one JSON object' },
  },
  async run({ args, rawArgs }) {
    // The same match options as record() and expectReplayParity take.
    const match = { ignorePaths: repeated(rawArgs, '--ignore-path') };
    const files = args._.map(String);
    const golden = args.golden ? String(args.golden) : undefined;
    if (golden && files.length > 1) {
      throw new UsageError(
        `Failed to run "replaypack assert": --golden compares one cassette, and ${files.length} were given (${files.join(', ')}). Assert each against its own golden.`,
      );
    }
    if (files.length === 1) {
      const result = await assertOne(files[0]!, golden, match, !!args.json);
      if (args.json) process.stdout.write(`${JSON.stringify(toJson(result), null, 2)}\n`);
      if (result.error) throw result.error;
      return;
    }
    const results = [];
    const failed: ReplayKitError[] = [];
    for (const file of files) {
      const result = await assertOne(file, undefined, match, !!args.json).catch(
        (error: unknown) => {
          if (!(error instanceof ReplayKitError)) throw error;
          return { file, ok: false, error };
        },
      );
      if (result.error) {
        process.stderr.write(`${result.error.message}\n`);
        failed.push(result.error);
      }
      results.push(toJson(result));
    }
    if (args.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    if (failed.length > 0) {
      throw new ReplayKitError(
        'E_ASSERT',
        `Failed to assert ${failed.length} of ${files.length} cassettes: see the messages above.`,
        { exitCode: Math.max(...failed.map((e) => e.exitCode)) as 1 | 3 | 4 },
      );
    }
  },
});

/** JSON has no room for an Error: a failed file carries its message. */
function toJson(result: { error?: ReplayKitError | undefined } & Record<string, unknown>) {
  const { error, ...rest } = result;
  return error && !('divergences' in rest) ? { ...rest, error: error.message } : rest;
}

async function assertOne(
  file: string,
  goldenFile: string | undefined,
  match: { ignorePaths: string[] },
  json: boolean,
) {
  const first = await replayCassette(file, match);
  const second = await replayCassette(file, match);
  const golden = goldenFile ? await diffCassettes(goldenFile, file, match) : null;
  const nondeterministic = secondReplayDivergence(first, second);
  const deterministic = nondeterministic === null;
  const divergences: (DivergenceDetails & { message: string })[] = [
    ...first.divergences,
    ...(golden?.first ? [golden.first] : []),
  ];
  const result = {
    file: first.file,
    ok: first.equal && deterministic && divergences.length === 0,
    exchanges: first.exchanges,
    served: first.served,
    deterministic,
    hash: first.replayed_hash,
    golden: golden ? { file: golden.a, equal: golden.equal } : null,
    divergences,
  };
  if (!json) {
    const lines = [
      `${result.file}: ${result.ok ? 'parity ok' : 'parity FAILED'}`,
      `  exchanges  ${first.served} of ${first.exchanges} replayed offline, twice, ${deterministic ? 'same hash' : 'DIFFERENT hashes'}`,
      `  hash       ${first.replayed_hash}`,
    ];
    if (golden) {
      lines.push(`  golden     ${golden.a}: ${golden.equal ? 'same canonical steps' : 'DIFFERS'}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  const report = divergences[0];
  let error: ReplayDivergenceError | undefined;
  if (report) {
    const { message: _m, ...details } = report;
    error = new ReplayDivergenceError(details);
  } else if (nondeterministic) error = new ReplayDivergenceError(nondeterministic);
  return { ...result, error };
}
