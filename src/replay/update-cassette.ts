/**
 * Update mode's cassette side (issue 20): which lines of the old recording are kept, and what
 * changed. The kept exchanges are written back as their raw lines, so they stay byte-identical;
 * only the tail after the first divergence is new.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunHeader, Step } from '../cassette/schema.ts';
import { ReplayKitError } from '../errors.ts';
import { loadCassette } from '../pipeline/cassette.ts';

export interface KeptPrefix {
  /** The kept exchanges' lines, as they were in the file (no trailing newline). */
  lines: string[];
  /** The same, read back and folded: what the writer's seal hashes. */
  steps: Step[];
}

/** An old recording as update mode keeps parts of it: every line with its exchange. */
export interface OldRecording {
  file: string;
  header: RunHeader;
  lines: { correlation_id: string; text: string }[];
  steps: Step[];
}

/**
 * Read when the update starts, so the kept prefix is at hand, synchronously, at the moment the
 * first request diverges (the writer must exist before that request is recorded).
 */
export async function readOldRecording(file: string): Promise<OldRecording> {
  const { header, steps } = await loadCassette(file);
  const text = await readFile(file, 'utf8');
  const lines: OldRecording['lines'] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: { correlation_id?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      // A torn last line (a crash while recording): the reader warned about it already.
      continue;
    }
    if (typeof parsed.correlation_id === 'string') {
      lines.push({ correlation_id: parsed.correlation_id, text: line });
    }
  }
  return { file, header, lines, steps };
}

/** The lines and steps of the exchanges `kept` (correlation ids), in file order. */
export function keptPrefix(old: OldRecording, kept: ReadonlySet<string>): KeptPrefix {
  const lines = old.lines.filter((l) => kept.has(l.correlation_id)).map((l) => l.text);
  const steps = old.steps.filter((s) => kept.has(s.correlation_id));
  // New steps are numbered after the kept ones: the kept ones must be the first indices.
  if (steps.some((s, i) => s.index !== i)) {
    throw new ReplayKitError(
      'E_UPDATE_INTERLEAVED',
      `Failed to update "${shown(old.file)}": the kept exchanges' lines are interleaved with later ones (requests recorded concurrently), so they cannot stay as they were. Re-record the cassette whole: REPLAYKIT_MODE=record <your test command>`,
    );
  }
  return { lines, steps };
}

/** Recorded exchanges by position (0-based, in request order), old file against new. */
export interface UpdateReport {
  /** Served from the cassette and written back unchanged. */
  kept: number[];
  /** Recorded again, live, from the first divergence on. */
  replaced: number[];
  /** New exchanges past the end of the old recording. */
  added: number[];
  /** Old exchanges the run no longer reached: gone from the cassette. */
  dropped: number[];
}

export function updateReport(before: number, kept: number, recorded: number): UpdateReport {
  const range = (from: number, to: number) =>
    Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  const after = kept + recorded;
  return {
    kept: range(0, kept),
    replaced: range(kept, Math.min(before, after)),
    added: range(before, after),
    dropped: range(after, before),
  };
}

/** One line for the end of the run: `Updated "x.rpk": kept 2 (#0-#1), replaced 1 (#2), ...`. */
export function describeUpdate(file: string, report: UpdateReport): string {
  const { replaced, added, dropped } = report;
  const changed = replaced.length + added.length + dropped.length > 0;
  return `Updated "${shown(file)}"${changed ? '' : ' (unchanged)'}: ${describeChanges(report)}`;
}

/** `kept 2 (#0-#1), replaced 1 (#2), added 0, dropped 0`. */
export function describeChanges(report: UpdateReport): string {
  const part = (name: string, list: number[]) => {
    if (list.length === 0) return `${name} 0`;
    const span = list.length === 1 ? `#${list[0]}` : `#${list[0]}-#${list.at(-1)}`;
    return `${name} ${list.length} (${span})`;
  };
  const { kept, replaced, added, dropped } = report;
  return `${part('kept', kept)}, ${part('replaced', replaced)}, ${part('added', added)}, ${part('dropped', dropped)}`;
}

const shown = (file: string) => path.relative(process.cwd(), file) || file;
