/**
 * Append-only `.rpk` writer: the header on creation, then one line per step as it happens, each
 * on disk before the call returns (see line-sink.ts). Streamed responses go out event by event
 * (`stream.open`, `stream.event`..., closing `model.response`), so a crash mid-stream loses
 * nothing that was received. The seal hashes steps incrementally, with the same `normalize` hook
 * the reader is given.
 */
import type { z } from 'zod';
import { ReplayKitError } from '../errors.ts';
import { countingHasher, createCanonicalHasher, type Normalizer } from './canonical.ts';
import { describeIssues } from './issues.ts';
import { type LineSink, openLineSink } from './line-sink.ts';
import {
  FORMAT_VERSION,
  type ModelResponse,
  RunHeader,
  Step,
  type StepInput,
  type StreamEnding,
  StreamEvent,
  StreamOpenLine,
  type StreamState,
} from './schema.ts';

export interface WriterOptions {
  /** The writer fills in `type`, `version` and (unless given) `created_at`. */
  header: Omit<RunHeader, 'type' | 'version'>;
  /** Provider normaliser for the seal's hash: pass pipeline/canonical.ts `normalizeStep`. */
  normalize?: Normalizer;
  /**
   * What the seal holds. `canonical` (default): `sha256` and `integrity`, the canonical hashes,
   * computed step by step as they are written, plus `content_sha256`. `content`: only
   * `content_sha256`, for writers on a hot path (the listener), where hashing every step's
   * canonical form cost as much as the rest of capture; readers compute the canonical hash.
   */
  hash?: 'canonical' | 'content';
  /** Overwrite an existing file (atomically, by rename at seal/close). Default: refuse. */
  replace?: boolean;
  /** Longest time a written line may wait for fsync. Default 1000; 0 syncs every line. */
  fsyncIntervalMs?: number;
  /**
   * Write the lines of one event-loop turn together when it ends, not each before its call
   * returns (see line-sink.ts). Default false.
   */
  batch?: boolean;
  /** With `batch`: a write that failed after the calls that queued its lines returned. */
  onFault?: (error: Error) => void;
  /**
   * Lines kept from an earlier recording, written as they were right after the header (update
   * mode: the kept exchanges stay byte-identical). `steps` are the same lines read back (folded),
   * indices 0..n-1: the seal hashes them and new steps are numbered after them.
   */
  prefix?: { lines: readonly string[]; steps: readonly Step[] };
  /** Clock for `created_at` / `sealed_at` (fixed in reproducible fixtures). */
  now?: () => Date;
}

export type StreamHead = Omit<StreamOpenLine, 'type' | 'index'>;
/** How a stream ended; fields given here override those of its `stream.open`. */
export type StreamEnd = Partial<
  Omit<ModelResponse, 'type' | 'index' | 'correlation_id' | 'stream'>
> & {
  state: StreamState;
  ending?: StreamEnding;
  eol?: '\r\n' | '\r';
  tail?: string;
};

export interface CassetteWriter {
  /** The target path (in replace mode the content lands there at seal/close). */
  readonly file: string;
  readonly steps: number;
  append(step: StepInput): Step;
  openStream(head: StreamHead): StreamOpenLine;
  streamEvent(correlationId: string, event: StreamEvent): void;
  closeStream(correlationId: string, end: StreamEnd): ModelResponse;
  /**
   * Closes any open stream as interrupted, writes the seal, syncs and closes the file. `sha256` is
   * the canonical hash (absent with `hash: 'content'`).
   */
  seal(): { steps: number; sha256?: string };
  /** Like seal without the seal line. Idempotent. */
  close(): void;
  /** With `batch`: write out the queued lines now. */
  flush(): void;
}

interface Open {
  head: StreamOpenLine;
  events: StreamEvent[];
}

export function createCassetteWriter(file: string, options: WriterOptions): CassetteWriter {
  const now = options.now ?? (() => new Date());
  const header = validate('run.header', RunHeader, {
    created_at: now().toISOString(),
    ...options.header,
    type: 'run.header',
    version: FORMAT_VERSION,
  });
  const sink: LineSink = openLineSink(
    file,
    options.replace ?? false,
    options.fsyncIntervalMs ?? 1000,
    options.batch ? { onFault: options.onFault } : false,
  );
  try {
    sink.write(header);
  } catch (error) {
    sink.abandon();
    throw error;
  }

  const canonical = (options.hash ?? 'canonical') === 'canonical';
  const hasher = canonical ? createCanonicalHasher(options.normalize) : countingHasher();
  const base = options.normalize && canonical ? createCanonicalHasher() : hasher;
  const open = new Map<string, Open>();
  // Steps that started after a still-open stream wait here: the hash follows index order.
  const ready = new Map<number, Step>();
  let next = 0;
  let state: 'writing' | 'sealed' | 'closed' = 'writing';
  if (options.prefix) {
    try {
      for (const line of options.prefix.lines) sink.writeRaw(line);
    } catch (error) {
      sink.abandon();
      throw error;
    }
  }

  const ensureWriting = () => {
    if (state !== 'writing') {
      throw new ReplayKitError(
        'E_CASSETTE_CLOSED',
        `Failed to write cassette "${file}": it is already ${state}. Create a new writer for a new run`,
      );
    }
  };
  const settle = (step: Step) => {
    ready.set(step.index, step);
    for (let s = ready.get(hasher.count); s; s = ready.get(hasher.count)) {
      ready.delete(s.index);
      hasher.add(s);
      if (base !== hasher) base.add(s);
    }
  };
  const stream = (correlationId: string): Open => {
    ensureWriting();
    const target = open.get(correlationId);
    if (!target) {
      throw new ReplayKitError(
        'E_CASSETTE_NO_STREAM',
        `Failed to write cassette "${file}": no open stream has correlation_id "${correlationId}". Call openStream first`,
      );
    }
    return target;
  };
  const closeAll = () => {
    for (const id of [...open.keys()]) {
      writer.closeStream(id, {
        state: 'interrupted',
        diagnostics: [{ message: 'the cassette was closed while this stream was still open' }],
      });
    }
  };

  for (const step of options.prefix?.steps ?? []) {
    settle(step);
    next = Math.max(next, step.index + 1);
  }

  const writer: CassetteWriter = {
    file,
    get steps() {
      return next;
    },
    append(input) {
      ensureWriting();
      if (input.type === 'model.response' && open.has(input.correlation_id)) {
        throw new ReplayKitError(
          'E_CASSETTE_STREAM_OPEN',
          `Failed to write cassette "${file}": correlation_id "${input.correlation_id}" has an open stream. End it with closeStream`,
        );
      }
      const step = validate(`step ${input.type}`, Step, { ...input, index: next });
      sink.write(step);
      next++;
      settle(step);
      return step;
    },
    openStream(head) {
      ensureWriting();
      if (open.has(head.correlation_id)) {
        throw new ReplayKitError(
          'E_CASSETTE_STREAM_OPEN',
          `Failed to write cassette "${file}": a stream with correlation_id "${head.correlation_id}" is already open`,
        );
      }
      const line = validate('stream.open', StreamOpenLine, {
        ...head,
        type: 'stream.open',
        index: next,
      });
      sink.write(line);
      next++;
      open.set(head.correlation_id, { head: line, events: [] });
      return line;
    },
    streamEvent(correlationId, event) {
      const target = stream(correlationId);
      const valid = validate('stream.event', StreamEvent, event);
      sink.write({
        type: 'stream.event',
        correlation_id: correlationId,
        seq: target.events.length,
        ...valid,
      });
      target.events.push(valid);
    },
    closeStream(correlationId, end) {
      const target = stream(correlationId);
      const { type: _t, format, ...base } = target.head;
      const { state: streamState, ending, eol, tail, ...rest } = end;
      // Each event was validated as it was written: check the rest, then attach them (a second
      // pass over every event of a long stream cost as much as writing it).
      const onDisk = validate('step model.response', Step, {
        ...base,
        ...rest,
        type: 'model.response',
        stream: {
          format,
          state: streamState,
          ...(ending ? { ending } : {}),
          ...(eol ? { eol } : {}),
          ...(tail ? { tail } : {}),
          events: [],
        },
      }) as ModelResponse;
      // On disk the events are the stream.event lines above; the reader folds them back in.
      const { events: _e, ...streamOnDisk } = onDisk.stream!;
      sink.write({ ...onDisk, stream: streamOnDisk });
      const step: ModelResponse = {
        ...onDisk,
        stream: { ...streamOnDisk, events: target.events },
      };
      open.delete(correlationId);
      settle(step);
      return step;
    },
    seal() {
      ensureWriting();
      closeAll();
      const content_sha256 = sink.contentDigest();
      const result = canonical
        ? { steps: hasher.count, sha256: hasher.digest() }
        : { steps: hasher.count };
      const hashes = canonical ? { integrity: base.digest(), content_sha256 } : { content_sha256 };
      sink.write({ type: 'run.seal', ...result, ...hashes, sealed_at: now().toISOString() });
      sink.finish();
      state = 'sealed';
      return result;
    },
    flush: () => sink.flush(),
    close() {
      if (state !== 'writing') return;
      closeAll();
      state = 'closed';
      sink.finish();
    },
  };
  return writer;
}

function validate<T>(label: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ReplayKitError(
    'E_CASSETTE_INVALID_STEP',
    `Failed to write a cassette line: ${describeIssues(label, parsed.error, value)}. Fix the value passed to the writer`,
  );
}
