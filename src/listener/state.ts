/**
 * The listener's state: one JSON file in one directory (`REPLAYKIT_HOME`, else `~/.replaykit`).
 * Written atomically (temp file + rename) so a reader never sees half a file, even when the
 * listener is killed mid-write; only the listener that wrote it may remove it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

export const LISTENER_MODES = ['live', 'synthetic', 'replay', 'update'] as const;
export type ListenerMode = (typeof LISTENER_MODES)[number];
export const LISTENER_POLICIES = ['live_only', 'best_effort', 'synthetic_allowed'] as const;
export type ListenerPolicy = (typeof LISTENER_POLICIES)[number];

export const ListenerState = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  /** Proves identity: the health endpoint answers with it, so a reused pid is never mistaken. */
  instance_id: z.string().min(1),
  /** Secret for POST /__replaykit/shutdown: only whoever can read this file may stop it. */
  control_token: z.string().min(1),
  /** Client token required on every request (non-loopback binds), or null. */
  token: z.string().nullable(),
  host: z.string(),
  port: z.number().int().nonnegative(),
  url: z.string(),
  mode: z.enum(LISTENER_MODES),
  policy: z.enum(LISTENER_POLICIES),
  fail_on_synthetic: z.boolean(),
  artifact: z.string().nullable(),
  upstreams: z.record(z.string(), z.string()),
  started_at: z.string(),
  log: z.string().nullable(),
});
export type ListenerState = z.infer<typeof ListenerState>;

export const STATE_FILE = 'listener.json';
export const LOG_FILE = 'listener.log';

export function resolveStateDir(stateDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (stateDir) return resolve(stateDir);
  const fromEnv = env.REPLAYKIT_HOME;
  return fromEnv ? resolve(fromEnv) : join(homedir(), '.replaykit');
}

export function ensureStateDir(dir: string): void {
  // 0o700: the state file holds the shutdown token (ignored on Windows, where ACLs apply).
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Reads the state file; a missing file is `null`, an unreadable one is treated as absent. */
export function readState(dir: string): ListenerState | null {
  let text: string;
  try {
    text = readFileSync(join(dir, STATE_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = ListenerState.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeState(dir: string, state: ListenerState): void {
  ensureStateDir(dir);
  const temp = join(dir, `${STATE_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, join(dir, STATE_FILE));
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Removes the state file, but only if it still describes `instanceId` (when given): a listener
 * that exits late must not delete the state of the one that replaced it.
 */
export function clearState(dir: string, instanceId?: string): void {
  if (instanceId !== undefined) {
    const current = readState(dir);
    if (current && current.instance_id !== instanceId) return;
  }
  rmSync(join(dir, STATE_FILE), { force: true });
}
