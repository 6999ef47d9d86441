/**
 * When each cassette under a folder was recorded: its header's `created_at`, else the file's
 * modification time. Only the first line of each file is read.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';

export interface CassetteAge {
  file: string;
  recorded_at: string;
  /** Whole days since `recorded_at`. */
  age_days: number;
}

export function cassetteFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...cassetteFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.rpk')) out.push(full);
  }
  return out.sort();
}

export function recordedAt(file: string): Date {
  const line = firstLine(file);
  try {
    const header = JSON.parse(line) as { created_at?: unknown };
    if (typeof header.created_at === 'string') {
      const at = new Date(header.created_at);
      if (!Number.isNaN(at.getTime())) return at;
    }
  } catch {
    // Not a header we can read: the file's own time still says how old it is.
  }
  return statSync(file).mtime;
}

export function cassetteAges(dir: string, now = Date.now()): CassetteAge[] {
  return cassetteFiles(dir).map((file) => {
    const at = recordedAt(file);
    return {
      file,
      recorded_at: at.toISOString(),
      age_days: Math.floor((now - at.getTime()) / 86_400_000),
    };
  });
}

function firstLine(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    const n = readSync(fd, chunk, 0, chunk.length, 0);
    const text = chunk.subarray(0, n).toString('utf8');
    const end = text.indexOf('\n');
    return end === -1 ? text : text.slice(0, end);
  } finally {
    closeSync(fd);
  }
}
