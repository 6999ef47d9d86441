/**
 * The listener's step sink: one cassette at a time, rotated by size or age, and never an exchange
 * split across files. Each exchange is pinned to the file that saw its first step; a rotation opens
 * the next file for new exchanges while the old one stays open until its last exchange ends, and
 * is sealed then. A writer that fails (disk full, file gone) is dropped and the next exchange gets
 * a fresh file, so one bad write costs the exchanges in flight, never the rest of the run.
 */
import { statSync } from 'node:fs';
import type { StepInput } from '../cassette/schema.ts';
import type { CassetteWriter } from '../cassette/writer.ts';
import type { StepSink } from '../pipeline/capture.ts';

export interface RotationOptions {
  /** Start a new file for the next exchange once the current one holds this many bytes. */
  sizeBytes?: number | null;
  /** ... or once it has been open this long. */
  intervalMs?: number | null;
}

export interface RotatingSink extends StepSink {
  /** Every artifact opened so far, in order. */
  readonly files: string[];
  current(): string | null;
  /** The exchange will write no more steps: its file may now be sealed. */
  finish(correlationId: string): void;
  /** Seals every open file; returns the files. */
  close(): string[];
  /** Writes out every open file's queued lines now (batched writers). */
  persist(): void;
}

interface Part {
  writer: CassetteWriter;
  openedAt: number;
  inflight: Set<string>;
  retiring: boolean;
  broken: boolean;
}

/**
 * `open` gets the part number and where to report a write that fails after its call returned (a
 * batched writer). `onFault` hears of files that cannot be opened or sealed; `onLateFault` of
 * those late write failures, once the broken file is dropped (so it may write an error.event).
 */
export function createRotatingSink(
  open: (part: number, onWriteFault: (error: unknown) => void) => CassetteWriter,
  rotation: RotationOptions,
  onFault: (error: unknown) => void,
  onLateFault: (error: unknown) => void = onFault,
  now: () => number = Date.now,
): RotatingSink {
  const files: string[] = [];
  const owner = new Map<string, Part>();
  let current: Part | null = null;
  // Files not yet sealed or dropped: the ones `persist` writes out.
  const live = new Set<Part>();
  let sizeFloor = 0;

  const start = (): Part | null => {
    try {
      let part: Part | undefined;
      const writer = open(files.length, (error) => {
        if (!part || part.broken) return;
        drop(part);
        onLateFault(error);
      });
      files.push(writer.file);
      sizeFloor = 0;
      part = { writer, openedAt: now(), inflight: new Set(), retiring: false, broken: false };
      live.add(part);
      return part;
    } catch (error) {
      onFault(error);
      return null;
    }
  };

  /** The writer is done for (its line sink keeps the fault): start afresh next time. */
  const drop = (part: Part) => {
    part.broken = true;
    live.delete(part);
    try {
      part.writer.close();
    } catch {
      // Already failing: nothing more to learn from this one.
    }
    if (part === current) current = null;
  };
  current = start();

  const seal = (part: Part) => {
    live.delete(part);
    for (const id of part.inflight) owner.delete(id);
    part.inflight.clear();
    if (part.broken) return;
    try {
      part.writer.seal();
    } catch (error) {
      onFault(error);
    }
  };

  const due = (part: Part): boolean => {
    if (part.inflight.size === 0 && part.writer.steps === 0) return false;
    if (rotation.intervalMs && now() - part.openedAt >= rotation.intervalMs) return true;
    if (!rotation.sizeBytes) return false;
    try {
      return statSync(part.writer.file).size - sizeFloor >= rotation.sizeBytes;
    } catch {
      return false;
    }
  };

  const rotate = () => {
    const next = start();
    if (!next) {
      // Could not open the next file (the fault is reported): carry on in this one and try
      // again only after another full period.
      if (current) {
        current.openedAt = now();
        sizeFloor = safeSize(current.writer.file);
      }
      return;
    }
    const old = current;
    current = next;
    if (old) {
      old.retiring = true;
      if (old.inflight.size === 0) seal(old);
    }
  };

  /** The file a step goes to; `null` drops it (its exchange began in a file that broke). */
  const partFor = (correlationId: string, type: string): Part | null => {
    const pinned = owner.get(correlationId);
    if (pinned) return pinned.broken ? null : pinned;
    if (!current || current.broken || (type !== 'error.event' && due(current))) rotate();
    if (!current) return null;
    // Stray error events (a fault with no exchange) are written, not tracked.
    if (type !== 'error.event') {
      owner.set(correlationId, current);
      current.inflight.add(correlationId);
    }
    return current;
  };

  const guarded = <T>(part: Part, write: () => T): T => {
    try {
      return write();
    } catch (error) {
      drop(part);
      throw error;
    }
  };

  return {
    files,
    current: () => current?.writer.file ?? null,
    append(step: StepInput) {
      const part = partFor(step.correlation_id, step.type);
      if (!part) return undefined as never;
      return guarded(part, () => part.writer.append(step));
    },
    openStream(head) {
      const part = partFor(head.correlation_id, 'stream.open');
      if (!part) return undefined as never;
      return guarded(part, () => part.writer.openStream(head));
    },
    streamEvent(correlationId, event) {
      const part = owner.get(correlationId);
      if (!part || part.broken) return;
      guarded(part, () => part.writer.streamEvent(correlationId, event));
    },
    closeStream(correlationId, end) {
      const part = owner.get(correlationId);
      if (!part || part.broken) return undefined as never;
      return guarded(part, () => part.writer.closeStream(correlationId, end));
    },
    finish(correlationId) {
      const part = owner.get(correlationId);
      if (!part) return;
      owner.delete(correlationId);
      part.inflight.delete(correlationId);
      if (part.retiring && part.inflight.size === 0) seal(part);
    },
    persist() {
      for (const part of live) part.writer.flush();
    },
    close() {
      const parts = new Set([...owner.values(), ...(current ? [current] : [])]);
      for (const part of parts) seal(part);
      current = null;
      return [...files];
    },
  };
}

function safeSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
