/**
 * `replaypack assert FILE [--golden FILE] [--ignore-path P]... [--json]`: the parity and
 * determinism gate for CI. The
 * cassette is self-replayed twice (both replays must reproduce it, with the same hash); with
 * `--golden`, its canonical steps must also equal the golden cassette's. Exit 0 when all hold, 1
 * on the first divergence (its report on stderr), 3 for an invalid cassette, 4 for an unreadable
 * file.
 */
import { defineCommand } from 'citty';
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
    file: { type: 'positional', required: true, description: 'The .rpk file' },
    golden: { type: 'string', description: 'A golden .rpk whose canonical steps FILE must equal' },
    'ignore-path': ignorePathArg,
    json: { type: 'boolean', description: 'Print the result as one JSON object' },
  },
  async run({ args, rawArgs }) {
    // The same match options as record() and expectReplayParity take.
    const match = { ignorePaths: repeated(rawArgs, '--ignore-path') };
    const first = await replayCassette(String(args.file), match);
    const second = await replayCassette(String(args.file), match);
    const golden = args.golden
      ? await diffCassettes(String(args.golden), String(args.file), match)
      : null;
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
    if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const lines = [
        `${result.file}: ${result.ok ? 'parity ok' : 'parity FAILED'}`,
        `  exchanges  ${first.served} of ${first.exchanges} replayed offline, twice, ${deterministic ? 'same hash' : 'DIFFERENT hashes'}`,
        `  hash       ${first.replayed_hash}`,
      ];
      if (golden) {
        lines.push(
          `  golden     ${golden.a}: ${golden.equal ? 'same canonical steps' : 'DIFFERS'}`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    const report = divergences[0];
    if (report) {
      const { message: _m, ...details } = report;
      throw new ReplayDivergenceError(details);
    }
    if (nondeterministic) throw new ReplayDivergenceError(nondeterministic);
  },
});
