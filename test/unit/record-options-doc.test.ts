/**
 * Issue 22: docs/INTEGRATIONS.md said "as `record()`" for options documented nowhere. Its
 * `record()` options table must name every option of `RecordOptions`, and only those: the list
 * below is checked against the type by tsc, and the table against the list here.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import type { RecordOptions } from '../../src/capture/record.ts';

const OPTIONS = [
  'cassette',
  'mode',
  'match',
  'allowRepeats',
  'ignorePaths',
  'normalizeRequest',
  'strict',
  'unhandled',
  'replaySpeed',
  'redact',
  'chaos',
  'meta',
  'env',
] as const satisfies readonly (keyof RecordOptions)[];
// A new option of RecordOptions missing from OPTIONS is a type error here.
const complete: [Exclude<keyof RecordOptions, (typeof OPTIONS)[number]>] extends [never]
  ? true
  : false = true;

test('docs/INTEGRATIONS.md documents every record() option in one table', () => {
  expect(complete).toBe(true);
  const doc = readFileSync(new URL('../../docs/INTEGRATIONS.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## `record()` options'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| option |')));
  const names = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
  expect(names.sort()).toEqual([...OPTIONS].sort());
  expect(doc).toContain('as [`record()`](#record-options)');
});
