/**
 * Unknown flags are usage errors (issue 21). citty ignores flags its commands do not declare, so
 * a mistyped `--golden` or `--json` silently changed what a CI step checked. Every command's
 * declared `args` is the table of known flags; anything else on its command line exits 2 with
 * the flag and the closest known one.
 */
import type { ArgsDef, CommandDef } from 'citty';
import { cliName } from '../cli-name.ts';
import { UsageError } from '../errors.ts';

// biome-ignore lint/suspicious/noExplicitAny: citty's CommandDef is generic over its own arg map.
type AnyCommand = CommandDef<any>;

export interface FlagInfo {
  /** As typed after `--`, e.g. `dry-run`. */
  name: string;
  type: 'boolean' | 'string' | 'enum';
  aliases: string[];
}

export interface CommandInfo {
  /** The words after `replaypack`, e.g. `listen start`. */
  path: string;
  flags: FlagInfo[];
  /** Has subcommands of its own and no flags (`replaypack listen`). */
  group: boolean;
}

const resolve = async <T>(value: T | (() => T | Promise<T>) | Promise<T>): Promise<T> =>
  typeof value === 'function' ? (value as () => T | Promise<T>)() : value;

async function subCommandsOf(cmd: AnyCommand): Promise<Record<string, AnyCommand>> {
  const subs = (await resolve(cmd.subCommands)) ?? {};
  const out: Record<string, AnyCommand> = {};
  for (const [name, sub] of Object.entries(subs)) out[name] = await resolve(sub as AnyCommand);
  return out;
}

function flagsOf(args: ArgsDef | undefined): FlagInfo[] {
  const flags: FlagInfo[] = [];
  for (const [name, def] of Object.entries(args ?? {})) {
    if (def.type === 'positional') continue;
    const alias = 'alias' in def ? def.alias : undefined;
    flags.push({
      name,
      type: def.type === 'boolean' || def.type === 'enum' ? def.type : 'string',
      aliases: alias === undefined ? [] : Array.isArray(alias) ? alias : [alias],
    });
  }
  return flags;
}

/** Every command under `root`, depth first, with its flags: the table docs/CLI.md is checked against. */
export async function commandTable(root: AnyCommand): Promise<CommandInfo[]> {
  const table: CommandInfo[] = [];
  const walk = async (cmd: AnyCommand, path: string[]) => {
    const subs = await subCommandsOf(cmd);
    if (path.length > 0) {
      const group = Object.keys(subs).length > 0 && !cmd.run;
      table.push({ path: path.join(' '), flags: flagsOf(await resolve(cmd.args)), group });
    }
    for (const [name, sub] of Object.entries(subs)) await walk(sub, [...path, name]);
  };
  await walk(root, []);
  return table;
}

/**
 * Throws a `UsageError` for the first flag on `rawArgs` that the command it reaches does not
 * declare. A declared string or enum flag takes the next word as its value; `--` ends the flags.
 */
export async function checkFlags(root: AnyCommand, rawArgs: string[]): Promise<void> {
  let cmd = root;
  const path: string[] = [];
  let i = 0;
  for (; i < rawArgs.length; i++) {
    const word = rawArgs[i]!;
    if (word.startsWith('-')) break;
    const next = (await subCommandsOf(cmd))[word];
    if (!next) break;
    cmd = next;
    path.push(word);
  }
  const flags = flagsOf(await resolve(cmd.args));
  const known = new Map<string, FlagInfo>();
  for (const flag of flags) {
    for (const spelling of [flag.name, camel(flag.name), ...flag.aliases])
      known.set(spelling, flag);
  }
  for (; i < rawArgs.length; i++) {
    const word = rawArgs[i]!;
    if (word === '--') return;
    if (!word.startsWith('-') || word === '-') continue;
    const [spelled = '', value] = word.replace(/^--?/, '').split(/=(.*)/s, 2);
    const flag = known.get(spelled) ?? negated(known, spelled);
    if (!flag) throw unknownFlag(path, word.split('=')[0]!, flags);
    if (flag.type !== 'boolean' && value === undefined) i++;
  }
}

/** citty reads `--no-x` as `--x false` for boolean flags. */
function negated(known: Map<string, FlagInfo>, spelled: string): FlagInfo | undefined {
  if (!spelled.startsWith('no-')) return undefined;
  const flag = known.get(spelled.slice(3));
  return flag?.type === 'boolean' ? flag : undefined;
}

/** citty also accepts the camelCase spelling of a kebab-case flag (`--dryRun`). */
const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function unknownFlag(path: string[], flag: string, flags: FlagInfo[]): UsageError {
  const command = ['replaypack', ...path].join(' ');
  const candidates = [...flags.map((f) => `--${f.name}`), '--help'];
  const typed = flag.startsWith('--') ? flag : `--${flag.replace(/^-/, '')}`;
  const closest = candidates.reduce((best, c) =>
    distance(typed, c) < distance(typed, best) ? c : best,
  );
  return new UsageError(
    `Failed to run "${command}": unknown flag "${flag}". Did you mean "${closest}"? Run "${[cliName(), ...path].join(' ')} --help" for its flags.`,
  );
}

/** Levenshtein distance: small strings, so the plain two-row table. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
