/**
 * Issue 22: hints printed a bare `replaypack ...`, which is not on PATH after `npm install -D`.
 * Whether the CLI runs from a global install is read off where its script sits; these are the
 * real layouts npm makes, built on disk.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { isGlobalInstall } from '../../src/cli-name.ts';

const base = mkdtempSync(path.join(tmpdir(), 'rk-cli-name-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function script(...parts: string[]): string {
  const file = path.join(base, ...parts, 'node_modules', 'replaykit', 'dist', 'cli.mjs');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '');
  return file;
}

test('a project install (package.json beside node_modules) is local: hints say npx replaypack', () => {
  writeFileSync(path.join(base, 'package.json'), '{}');
  const file = script();
  expect(isGlobalInstall(file)).toBe(false);
  // npm runs it through node_modules/.bin, a symlink.
  const bin = path.join(base, 'node_modules', '.bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(file, path.join(bin, 'replaypack'));
  expect(isGlobalInstall(path.join(bin, 'replaypack'))).toBe(false);
});

test('a global install (<prefix>/lib/node_modules, no package.json) is global: hints say replaypack', () => {
  const file = script('prefix', 'lib');
  expect(isGlobalInstall(file)).toBe(true);
  const bin = path.join(base, 'prefix', 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(file, path.join(bin, 'replaypack'));
  expect(isGlobalInstall(path.join(bin, 'replaypack'))).toBe(true);
});

test('a checkout, or no script at all, is not global', () => {
  expect(isGlobalInstall(path.join(base, 'src', 'cli', 'main.ts'))).toBe(false);
  expect(isGlobalInstall(undefined)).toBe(false);
});
