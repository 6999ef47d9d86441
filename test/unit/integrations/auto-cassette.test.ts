/**
 * An explicit `record()` inside an `autoCassette` test (issue 22): the error says both are on and
 * how to choose, naming the test's own cassette, never the stand-in in a temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { beginAuto } from '../../../integrations/shared/auto-cassette.ts';
import { record } from '../../../src/capture/record.ts';

let root: string;
let cwd: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'replaykit-auto-'));
  cwd = process.cwd();
  process.chdir(root);
});
afterEach(() => {
  process.chdir(cwd);
  rmSync(root, { recursive: true, force: true });
});

const message = (own: string) =>
  `[replaykit] Failed to start recording "explicit.rpk": this test already has its own cassette "${own}" because autoCassette is on, and only one record() scope runs at a time. Choose one: remove this record() call and let autoCassette record the test, or turn autoCassette off for the project and keep record()`;

describe('record() inside an autoCassette test', () => {
  test.each(['replay', 'record'] as const)(
    'mode %s: names the test cassette and how to choose',
    async (mode) => {
      // In replay mode with no cassette yet, the automatic scope replays a stand-in file.
      const own = path.join(root, 'cassettes/a.test.ts/a--calls.rpk');
      const session = await beginAuto(own, root, { mode });
      try {
        await expect(record({ cassette: 'explicit.rpk', mode: 'record' })).rejects.toThrow(
          message('cassettes/a.test.ts/a--calls.rpk'),
        );
        await expect(record({ cassette: 'explicit.rpk', mode: 'record' })).rejects.not.toThrow(
          /replaykit-missing-/,
        );
      } finally {
        await session.end();
      }
      // Once the test's scope has ended, record() works again.
      const rec = await record({ cassette: 'explicit.rpk', mode: 'record' });
      await rec.stop();
    },
  );
});
