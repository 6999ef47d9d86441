import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { clearState, readState, resolveStateDir, writeState } from '../../../src/listener/state.ts';
import { sampleState } from './sample-state.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rk-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the state dir is REPLAYKIT_HOME when set, else ~/.replaykit', () => {
  expect(resolveStateDir(undefined, { REPLAYKIT_HOME: dir })).toBe(dir);
  expect(resolveStateDir(undefined, {})).toMatch(/\.replaykit$/);
});

test('state is written atomically: the file round-trips and no temp file is left', () => {
  writeState(dir, sampleState());
  expect(readState(dir)).toEqual(sampleState());
  expect(readdirSync(dir)).toEqual(['listener.json']);
});

test('a corrupt or foreign state file reads as no listener rather than crashing', () => {
  writeFileSync(join(dir, 'listener.json'), '{"pid": "nope"');
  expect(readState(dir)).toBeNull();
  writeFileSync(join(dir, 'listener.json'), '{"pid": 3}');
  expect(readState(dir)).toBeNull();
});

test('a listener only removes state that is still its own', () => {
  writeState(dir, sampleState({ instance_id: 'newer' }));
  clearState(dir, 'older');
  expect(readState(dir)?.instance_id).toBe('newer');
  clearState(dir, 'newer');
  expect(readState(dir)).toBeNull();
  expect(readdirSync(dir)).toEqual([]);
});
