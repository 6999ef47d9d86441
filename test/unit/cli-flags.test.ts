/**
 * Unknown flags are usage errors on every command (issue 21): `replaypack assert FILE
 * --bogus-flag` used to exit 0, so a mistyped `--golden` or `--json` silently changed what CI
 * checked. Every case is walked from one table, the commands' own definitions, which docs/CLI.md
 * is checked against.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { checkFlags, commandTable } from '../../src/cli/flags.ts';
import { replaypack as root } from '../../src/cli/tree.ts';
import { replaypack } from '../support/cli.ts';

const table = await commandTable(root);
const words = (path: string) => path.split(' ');

const documented = () => {
  const doc = readFileSync(new URL('../../docs/CLI.md', import.meta.url), 'utf8');
  const section = doc
    .split('<!-- flags-table: start -->')[1]
    ?.split('<!-- flags-table: end -->')[0];
  const rows = (section ?? '').split('\n').filter((line) => /^\| `/.test(line));
  return rows.map((row) => {
    const [, command = '', flags = ''] = row.split('|').map((cell) => cell.trim());
    return {
      path: command.replaceAll('`', ''),
      flags: [...flags.matchAll(/`--([^`]+)`/g)].map((m) => m[1]),
    };
  });
};

test('docs/CLI.md lists every command with exactly its flags, in order', () => {
  expect(table.length).toBeGreaterThan(10);
  expect(documented()).toEqual(
    table.map((c) => ({ path: c.path, flags: c.flags.map((f) => f.name) })),
  );
});

describe('the real CLI refuses an unknown flag with exit 2', () => {
  test.each(table.map((c) => [c.path]))('replaypack %s --bogus-flag', async (path) => {
    const r = await replaypack([...words(path), 'x.rpk', '--bogus-flag']);
    expect(r.exitCode).toBe(2);
    const command = `replaypack ${path}`;
    expect(r.stderr).toMatch(
      new RegExp(
        `^\\[replaykit\\] Failed to run "${command}": unknown flag "--bogus-flag"\\. Did you mean "--[a-z-]+"\\? Run "npx ${command} --help" for its flags\\.$`,
      ),
    );
    expect(r.stdout).toBe('');
  });
});

describe.each(table.filter((c) => c.flags.length > 0))('replaypack $path', ({ path, flags }) => {
  test.each(flags.map((f) => [f.name, f.type]))(
    '--%s is accepted, and a typo of it is refused with --%s suggested',
    async (name) => {
      await expect(checkFlags(root, [...words(path), `--${name}`, 'value'])).resolves.toBe(
        undefined,
      );
      await expect(checkFlags(root, [...words(path), `--${name}=value`])).resolves.toBe(undefined);
      // The typo a hurried hand makes: the last letter dropped.
      const typo = `--${name.slice(0, -1)}`;
      const refused = checkFlags(root, [...words(path), typo]);
      await expect(refused).rejects.toMatchObject({ code: 'E_USAGE', exitCode: 2 });
      await expect(refused).rejects.toThrow(`unknown flag "${typo}". Did you mean "--${name}"?`);
    },
  );
});

test('no flag outside the table gets through, on any command, wherever it stands', async () => {
  const known = new Set(table.flatMap((c) => c.flags.map((f) => f.name)));
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...table),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
      fc.boolean(),
      async (command, name, withValue) => {
        fc.pre(!known.has(name) && !name.startsWith('no-') && name !== 'help');
        const flag = withValue ? `--${name}=1` : `--${name}`;
        const args = [...words(command.path), 'file.rpk', flag];
        await expect(checkFlags(root, args)).rejects.toThrow(`unknown flag "--${name}"`);
      },
    ),
    { numRuns: 200 },
  );
});

test('values, --no- forms, stdin "-" and everything after "--" are not taken for flags', async () => {
  await expect(
    checkFlags(root, ['ingest', 'codex', '-', '--out', '--not-a-flag.rpk', '--force']),
  ).resolves.toBe(undefined);
  await expect(checkFlags(root, ['scan', '.', '--no-pii', '--json'])).resolves.toBe(undefined);
  await expect(checkFlags(root, ['prune', '--dryRun'])).resolves.toBe(undefined);
  await expect(checkFlags(root, ['inspect', '--', '--bogus.rpk'])).resolves.toBe(undefined);
  await expect(checkFlags(root, ['inspect', 'x.rpk', '--no-json-please'])).rejects.toThrow(
    'unknown flag "--no-json-please"',
  );
});
