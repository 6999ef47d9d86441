/**
 * An explicit `record()` inside an `autoCassette` test (issue 22): on another cassette it runs
 * side by side with the test's own (issue 24); on the test's own cassette the error says both are
 * on and how to choose, naming that cassette, never the stand-in in a temporary folder.
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
  `[replaykit] Failed to start recording "${own}": this test already records "${own}" itself because autoCassette is on. Choose one: remove this record() call and let autoCassette record the test, or give this record() another cassette (it then runs side by side with the test's own)`;

describe('record() inside an autoCassette test', () => {
  test.each(['replay', 'record'] as const)(
    'mode %s: on the test cassette it names it and how to choose; on another it runs',
    async (mode) => {
      // In replay mode with no cassette yet, the automatic scope replays a stand-in file.
      const own = path.join(root, 'cassettes/a.test.ts/a--calls.rpk');
      const shown = 'cassettes/a.test.ts/a--calls.rpk';
      const session = await beginAuto(own, root, { mode });
      try {
        await expect(record({ cassette: shown, mode: 'record' })).rejects.toThrow(message(shown));
        await expect(record({ cassette: shown, mode: 'record' })).rejects.not.toThrow(
          /replaykit-missing-/,
        );
        const beside = await record({ cassette: 'explicit.rpk', mode: 'record' });
        expect(beside.mode).toBe('record');
        await beside.stop();
      } finally {
        await session.end();
      }
      // Once the test's scope has ended, record() works again.
      const rec = await record({ cassette: 'explicit.rpk', mode: 'record' });
      await rec.stop();
    },
  );
});
