/** publint on the package as packed: every subpath export resolves to a file, ESM and CJS. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { installedPackage } from './package.ts';

test('publint finds no error and no warning in the packed package', async () => {
  const report = readFileSync(path.join(await installedPackage(), 'publint.txt'), 'utf8');
  expect(report).toMatch(/^exit 0\n/);
  expect(report).not.toMatch(/^Errors:|^Warnings:/m);
}, 300_000);
