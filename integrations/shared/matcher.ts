/**
 * `expect(rpk).toReplayWithParity(run?)`, written once against the matcher context that Vitest
 * and Jest share (`this.utils.matcherHint`, `printExpected`, `printReceived`, `diff`), so a
 * failure reads like any other failed assertion of the runner, with the first divergence at the
 * top and the runner's own diff of the recorded and the live request below.
 */
import { ReplayDivergenceError } from '../../src/integration.ts';
import { checkParity } from './parity.ts';

/** The part of Vitest's and Jest's `MatcherState` used here. */
export interface MatcherContext {
  isNot: boolean;
  promise?: string;
  utils: {
    matcherHint(name: string, received?: string, expected?: string, options?: object): string;
    printExpected(value: unknown): string;
    printReceived(value: unknown): string;
    diff(a: unknown, b: unknown, options?: object): string | null | undefined;
  };
}

export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

const NAME = 'toReplayWithParity';

export async function toReplayWithParity(
  this: MatcherContext,
  received: unknown,
  run?: () => unknown,
): Promise<MatcherResult> {
  const hint = this.utils.matcherHint(NAME, 'cassette', run ? 'run' : '', {
    isNot: this.isNot,
    promise: this.promise ?? '',
  });
  if (typeof received !== 'string') {
    return {
      pass: false,
      message: () =>
        `${hint}\n\nReceived value must be the path of a .rpk cassette (a string).\nReceived: ${this.utils.printReceived(received)}`,
    };
  }
  const error = await checkParity(received, run);
  if (!error) {
    return {
      pass: true,
      message: () =>
        `${hint}\n\nExpected ${this.utils.printReceived(received)} not to replay with parity, but every exchange matched.`,
    };
  }
  return { pass: false, message: () => `${hint}\n\n${explain(this, error)}` };
}

/** Runner-formatted text for a failed parity check. */
export function explain(ctx: MatcherContext, error: Error): string {
  const details = error instanceof ReplayDivergenceError ? error.details : null;
  const difference = details?.difference;
  if (details?.kind !== 'mismatch' || !difference) return error.message;
  const [headline, ...rest] = error.message.split('\n');
  // The re-record hint and the HTML diff's path (issue 19) outlive the runner's own layout.
  const rerecord = rest
    .filter((l) => l.includes('re-record') || l.startsWith('  HTML diff: '))
    .map((l) => l.trim());
  const lines = [
    headline ?? '',
    `First difference at ${difference.path}`,
    '',
    `Expected: ${ctx.utils.printExpected(difference.expected)}`,
    `Received: ${ctx.utils.printReceived(difference.actual)}`,
  ];
  const diff =
    details.closest && details.live
      ? ctx.utils.diff(details.closest.compared, details.live.compared, {
          aAnnotation: 'Recorded',
          bAnnotation: 'Live',
        })
      : null;
  if (diff) lines.push('', diff);
  lines.push('', ...rerecord);
  return lines.join('\n');
}
