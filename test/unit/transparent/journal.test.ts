/**
 * The rollback journal: written atomically, read back as written; a damaged journal is an error
 * naming the file and the way out, never taken for "no session" (a new start over changes nobody
 * can undo would lose them).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ReplayKitError } from '../../../src/errors.ts';
import {
  type Journal,
  readJournal,
  removeJournal,
  writeJournal,
} from '../../../src/transparent/journal.ts';

const dir = mkdtempSync(join(tmpdir(), 'rk-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const journal: Journal = {
  version: 1,
  backend: 'nft',
  started_at: '2026-12-01T00:00:00.000Z',
  hosts: ['api.openai.com'],
  addresses: ['10.0.0.1'],
  port: 4443,
  exempt_gid: 47811,
  ca: { path: '/x/ca.pem', sha256: 'AA', sha1: 'BB' },
  rules: 'table ip replaykit {}\n',
  artifact: null,
  listener: null,
  steps: [
    {
      id: 'nft-table',
      status: 'pending',
      kind: 'command',
      undo: [
        {
          command: { cmd: 'nft', args: ['delete', 'table', 'ip', 'replaykit'] },
          absent: 'No such file',
        },
      ],
    },
  ],
};

it('reads back what was written; a missing journal is null', () => {
  expect(readJournal(dir)).toBeNull();
  writeJournal(dir, journal);
  expect(readJournal(dir)).toEqual(journal);
  removeJournal(dir);
  expect(readJournal(dir)).toBeNull();
});

it.each([
  ['half a file', '{"version":1,"backend":"nft"', 'not valid JSON'],
  ['another shape', '{"version":2}', 'not a transparent-mode journal'],
])('a damaged journal (%s) is an error naming the file and the way out', (_name, text, reason) => {
  writeFileSync(join(dir, 'session.json'), text);
  let error: unknown;
  try {
    readJournal(dir);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ReplayKitError);
  expect((error as ReplayKitError).message).toContain(join(dir, 'session.json'));
  expect((error as ReplayKitError).message).toContain(reason);
  expect((error as ReplayKitError).message).toContain('docs/TRANSPARENT.md');
  removeJournal(dir);
});
