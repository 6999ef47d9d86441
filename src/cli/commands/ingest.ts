/**
 * `replaypack ingest codex|claude-code FILE|- --out FILE.rpk [--with CAPTURED.rpk]`: an agent's
 * own event stream (`codex exec --json`, `claude -p --output-format stream-json --verbose`) into a
 * cassette. Lines that cannot be read become `error.event`s with their line number (exit 0: the
 * rest was ingested); a missing input is exit 4, a wrong command line exit 2.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { defineCommand } from 'citty';
import { ingestToCassette } from '../../agents/cassette.ts';
import { AGENT_NAMES, type AgentName } from '../../agents/types.ts';
import { ExitCode, formatMessage, ReplayKitError, UsageError } from '../../errors.ts';

export default defineCommand({
  meta: {
    name: 'ingest',
    description:
      'Turn a Codex (--json) or Claude Code (stream-json) event stream into a .rpk cassette',
  },
  args: {
    agent: { type: 'positional', required: true, description: 'codex or claude-code' },
    input: {
      type: 'positional',
      required: true,
      description: 'The JSONL/NDJSON file, or - for stdin',
    },
    out: { type: 'string', description: 'The .rpk file to write (required)' },
    with: {
      type: 'string',
      description: 'A cassette with the model steps of the same run, to copy in and correlate with',
    },
    force: { type: 'boolean', description: 'Overwrite --out if it exists' },
    json: { type: 'boolean', description: 'Print the summary as one JSON object' },
  },
  async run({ args }) {
    const agent = String(args.agent) as AgentName;
    if (!AGENT_NAMES.includes(agent)) {
      throw new UsageError(`Invalid agent "${agent}": expected one of ${AGENT_NAMES.join(', ')}.`);
    }
    if (!args.out) throw new UsageError('Missing --out FILE.rpk: where to write the cassette.');
    const input = String(args.input);
    if (input !== '-') {
      await access(input).catch((error: NodeJS.ErrnoException) => {
        throw new ReplayKitError(
          'E_INPUT_UNREADABLE',
          `Failed to read "${input}": ${error.code ?? error.message}. Check the path, or pass - to read stdin.`,
          { exitCode: ExitCode.environment, cause: error },
        );
      });
    }
    const result = await ingestToCassette({
      agent,
      lines: linesOf(input),
      out: String(args.out),
      ...(args.with ? { withCassette: String(args.with) } : {}),
      replace: Boolean(args.force),
      source: input === '-' ? 'stdin' : input,
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const types = Object.entries(result.types)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ');
    process.stdout.write(
      `${result.file}: ${result.steps} step(s) from ${result.lines} line(s) (${types || 'none'})\n` +
        `  session  ${result.session_id ?? '(not reported)'}\n` +
        (args.with ? `  linked   ${result.linked} to model steps (${result.copied} copied)\n` : ''),
    );
    if (result.parse_errors > 0) {
      process.stderr.write(
        `${formatMessage(`${result.parse_errors} line(s) could not be read; each is an error.event with its line number in ${result.file}.`)}\n`,
      );
    }
  },
});

/**
 * Opened only when ingestion starts reading (after `--with` was read): readline drops the lines it
 * emits before anyone iterates it.
 */
async function* linesOf(input: string): AsyncGenerator<string> {
  const stream = input === '-' ? process.stdin : createReadStream(input, 'utf8');
  yield* createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
}
