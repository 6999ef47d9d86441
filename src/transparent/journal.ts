/**
 * The rollback journal: one JSON file describing the transparent session, rewritten (atomically)
 * BEFORE every change it makes, so whatever happens next (a failed command, `kill -9`, a power
 * cut) the undo of every change that may have happened is on disk. Stop and recovery replay the
 * undo commands stored here; they need no knowledge of how the session was started.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ExitCode, ReplayKitError } from '../errors.ts';

export const BACKENDS = ['pf', 'nft'] as const;
export type Backend = (typeof BACKENDS)[number];

const CommandSchema = z.object({
  cmd: z.string(),
  args: z.array(z.string()),
  input: z.string().optional(),
});

export const UndoSchema = z.object({
  command: CommandSchema,
  /** Stderr that means the change is already gone (the undo's goal holds): counted as done. */
  absent: z.string().optional(),
});
export type Undo = z.infer<typeof UndoSchema>;

export const JournalStep = z.object({
  id: z.string(),
  /** `pending`: written before the change was attempted; it may or may not have happened. */
  status: z.enum(['pending', 'applied']),
  /** `listener`: stop the listener process recorded in the journal (no system command). */
  kind: z.enum(['command', 'listener']),
  undo: z.array(UndoSchema),
});
export type JournalStep = z.infer<typeof JournalStep>;

export const Journal = z.object({
  version: z.literal(1),
  backend: z.enum(BACKENDS),
  started_at: z.string(),
  hosts: z.array(z.string()),
  addresses: z.array(z.string()),
  /** The TLS front's port on 127.0.0.1 (where the rules redirect 443). */
  port: z.number().int().nonnegative(),
  /** The group the listener runs as: its own traffic is exempt from the redirect. */
  exempt_gid: z.number().int().nonnegative(),
  ca: z.object({ path: z.string(), sha256: z.string(), sha1: z.string() }),
  /** The rule text applied (nft script or pf anchor). */
  rules: z.string(),
  artifact: z.string().nullable(),
  listener: z
    .object({ pid: z.number().int().positive(), instance_id: z.string(), state_dir: z.string() })
    .nullable(),
  steps: z.array(JournalStep),
});
export type Journal = z.infer<typeof Journal>;

export const JOURNAL_FILE = 'session.json';

/**
 * A missing journal is `null` (nothing to undo). An unreadable one is an error, never "absent":
 * treating it as absent would start a new session over changes nobody can undo any more.
 */
export function readJournal(dir: string): Journal | null {
  const path = join(dir, JOURNAL_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw unreadable(path, (error as NodeJS.ErrnoException).code ?? String(error), error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw unreadable(path, 'not valid JSON', error);
  }
  const parsed = Journal.safeParse(value);
  if (!parsed.success) throw unreadable(path, 'not a transparent-mode journal (version 1)');
  return parsed.data;
}

function unreadable(path: string, reason: string, cause?: unknown): ReplayKitError {
  return new ReplayKitError(
    'E_TRANSPARENT_JOURNAL',
    `Failed to read the transparent-mode journal "${path}": ${reason}. Undo its changes by hand (docs/TRANSPARENT.md, Recovery), then delete the file.`,
    { exitCode: ExitCode.environment, ...(cause === undefined ? {} : { cause }) },
  );
}

export function writeJournal(dir: string, journal: Journal): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `${JOURNAL_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(temp, `${JSON.stringify(journal, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, join(dir, JOURNAL_FILE));
}

export function removeJournal(dir: string): void {
  rmSync(join(dir, JOURNAL_FILE), { force: true });
}
