/**
 * `npm ci` refuses a lock file that lacks any optional dependency, even one for another platform
 * ("Missing: @rollup/rollup-darwin-arm64 from lock file"). A lock written from an existing
 * node_modules on Linux can lack macOS and Windows packages, and most users' CI runs `npm ci` on
 * all three (issue 15). So every optional dependency named in a lock must have its own entry there.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');
const LOCKS = [
  'package-lock.json',
  'test/agents/package-lock.json',
  'test/compat/package-lock.json',
];

interface LockEntry {
  optionalDependencies?: Record<string, string>;
}

/** Node's lookup: the dependant's own node_modules, then each enclosing one, then the root. */
function resolves(packages: Record<string, LockEntry>, from: string, name: string): boolean {
  let dir = from;
  for (;;) {
    if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up === -1 ? '' : dir.slice(0, up);
  }
}

function missingOptionals(lockFile: string): string[] {
  const lock = JSON.parse(readFileSync(path.join(REPO, lockFile), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const missing: string[] = [];
  for (const [where, entry] of Object.entries(lock.packages)) {
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      if (!resolves(lock.packages, where, name)) missing.push(`${name} (for ${where || 'root'})`);
    }
  }
  return missing;
}

test.each(LOCKS)(
  '%s names every optional dependency of every platform (npm ci works on every OS)',
  (lock) => {
    const missing = missingOptionals(lock);
    expect(
      missing,
      `missing from ${lock}; regenerate it with npm install --package-lock-only`,
    ).toEqual([]);
  },
);
