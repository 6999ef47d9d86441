/**
 * Mode is resolved per recording (never a process-global like nock.back's `_mode`): the option,
 * then `REPLAYKIT_MODE`, then the default, which is `replay` on CI (as snapshot tests do) and
 * `auto` elsewhere.
 */
import { UsageError } from '../errors.ts';

export const MODES = ['record', 'replay', 'auto', 'passthrough', 'off'] as const;
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
