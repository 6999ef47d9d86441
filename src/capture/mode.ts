/**
 * Mode is resolved per recording (never a process-global like nock.back's `_mode`): the option,
 * then `REPLAYKIT_MODE`, then the default, which is `replay` on CI (as snapshot tests do) and
 * `auto` elsewhere.
 */
import { ReplayKitError, UsageError } from '../errors.ts';

export const MODES = ['record', 'replay', 'auto', 'passthrough', 'off', 'update'] as const;
export type Mode = (typeof MODES)[number];
/** What `auto` becomes once we know whether the cassette exists. */
export type EffectiveMode = Exclude<Mode, 'auto'>;

const isMode = (value: string): value is Mode => (MODES as readonly string[]).includes(value);

export function isCI(env: Record<string, string | undefined>): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export function resolveMode(
  option: Mode | undefined,
  env: Record<string, string | undefined> = process.env,
): Mode {
  if (option !== undefined) {
    if (!isMode(option)) throw new UsageError(badMode(`mode: '${String(option)}'`));
    return option;
  }
  const fromEnv = env.REPLAYKIT_MODE?.trim();
  if (fromEnv) {
    if (!isMode(fromEnv)) throw new UsageError(badMode(`REPLAYKIT_MODE=${fromEnv}`));
    return fromEnv;
  }
  return isCI(env) ? 'replay' : 'auto';
}

export function effectiveMode(mode: Mode, cassetteExists: boolean): EffectiveMode {
  if (mode !== 'auto') return mode;
  return cassetteExists ? 'replay' : 'record';
}

function badMode(given: string): string {
  return `Unknown replay mode ${given}. Use one of: ${MODES.join(', ')}.`;
}

/**
 * `update` sends requests live and rewrites a cassette: on CI, where cassettes are the reference
 * a run is checked against, it is refused unless `REPLAYKIT_ALLOW_CI_RECORD=1` says so (issue 20).
 */
export function assertModeAllowed(
  mode: Mode,
  cassette: string,
  env: Record<string, string | undefined> = process.env,
): void {
  if (mode !== 'update' || !isCI(env) || env.REPLAYKIT_ALLOW_CI_RECORD === '1') return;
  throw new ReplayKitError(
    'E_CI_RECORD',
    `Failed to update "${cassette}": mode update records live traffic and rewrites the cassette, and this is CI (CI=${env.CI}). Update cassettes locally and commit them, or set REPLAYKIT_ALLOW_CI_RECORD=1 to allow it here`,
  );
}
