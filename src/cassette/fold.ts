/**
 * The reader's state machine, one parsed line at a time: checks the header, validates each line
 * against the schema, keeps step indices contiguous, and folds `stream.open` / `stream.event`
 * lines into the `model.response` that closes them. Steps leave in index order: a streamed
 * response holds back the steps that started after it until it closes.
 */
import { createHash } from 'node:crypto';
import { CassetteFormatError } from '../errors.ts';
import { VERSION } from '../version.ts';
import type { CanonicalHasher } from './canonical.ts';
import { describeIssues, kindOf } from './issues.ts';
import type { CassetteEntry, LineSpan } from './reader.ts';
import {
  BodyLine,
  FORMAT_VERSION,
  type ModelResponse,
  RunHeader,
  type RunSeal,
  type Step,
  type StreamEvent,
  type StreamOpenLine,
} from './schema.ts';

const LINE_TYPES = BodyLine.options.map((option) => option.shape.type.value);
const STEP_LINE = new Set<string>(
  LINE_TYPES.filter((t) => !t.startsWith('stream.') && t !== 'run.seal'),
);

interface OpenStream {
  head: StreamOpenLine;
  events: StreamEvent[];
  line: number;
  spans: LineSpan[] | undefined;
}

/** Appends a line's span, merging it into the previous one when the lines are adjacent. */
function extend(spans: LineSpan[] | undefined, span: LineSpan | undefined): LineSpan[] | undefined {
  if (!spans || !span) return undefined;
  const last = spans.at(-1);
  if (last && last.end === span.start) spans.push({ ...spans.pop()!, end: span.end });
  else spans.push(span);
  return spans;
}

function sameWriter(header: RunHeader): boolean {
  return header.tool.name === 'replaykit' && header.tool.version === VERSION;
}

export interface FolderOptions {
  /**
   * How the seal is checked: `canonical` (default) against its canonical hashes; `content` against
   * `content_sha256` alone, with no canonical hash computed (`hasher` may be a counting one). A
   * seal without a matching `content_sha256` is then an error, for the caller to retry canonically.
   */
  verify?: 'canonical' | 'content';
  /**
   * Fold a few lines of a file already read whole (replay reading one step back by its spans):
   * no header is expected and the first step's index is this one.
   */
  resume?: number;
}

/** `base` hashes without provider rules, for the seal's `integrity` (may be `hasher` itself). */
export function createFolder(
  file: string,
  hasher: CanonicalHasher,
  base: CanonicalHasher,
  options: FolderOptions = {},
) {
  const fail = (line: number, what: string) => new CassetteFormatError(file, line, what);
  const resumed = options.resume !== undefined;
  const verify = options.verify ?? 'canonical';
  // Every line before the seal, as the writer hashed it (see RunSeal.content_sha256).
  const content = resumed ? undefined : createHash('sha256');
  // A content check of a file this very replaykit wrote: each line was validated by this schema
  // before the writer wrote it, and a matching content_sha256 at the end proves none changed, so
  // lines are not validated again (about half of what is left of reading). Any mismatch throws,
  // and the caller reads again, validating.
  let trusted = false;
  let header: RunHeader | undefined;
  let seal: { value: RunSeal; line: number } | undefined;
  let reserved = options.resume ?? 0;
  let emitted = reserved;
  const open = new Map<string, OpenStream>();
  const ready = new Map<number, { step: Step; line: number; spans?: LineSpan[] | undefined }>();

  function* flush(): Generator<CassetteEntry> {
    for (let next = ready.get(emitted); next; next = ready.get(emitted)) {
      ready.delete(emitted);
      hasher.add(next.step);
      if (base !== hasher) base.add(next.step);
      emitted++;
      yield next.spans
        ? { kind: 'step', step: next.step, line: next.line, spans: next.spans }
        : { kind: 'step', step: next.step, line: next.line };
    }
  }

  function reserve(index: number, line: number): void {
    if (index !== reserved) {
      throw fail(
        line,
        `step index ${index} is out of order; expected ${reserved} (steps are numbered from 0 in the order they start)`,
      );
    }
    reserved++;
  }

  function parseHeader(value: Record<string, unknown>, line: number): RunHeader {
    if (value.type !== 'run.header') {
      const got =
        typeof value.type === 'string' ? `a "${value.type}" line` : 'a line without "type"';
      throw fail(line, `the first line must be a run.header, got ${got}`);
    }
    if (typeof value.version === 'number' && value.version > FORMAT_VERSION) {
      throw fail(
        line,
        `format version ${value.version} is newer than this replaykit supports (${FORMAT_VERSION}); upgrade replaykit`,
      );
    }
    const parsed = RunHeader.safeParse(value);
    if (!parsed.success) throw fail(line, describeIssues('run.header', parsed.error, value));
    return parsed.data;
  }

  function* body(
    value: Record<string, unknown>,
    line: number,
    span: LineSpan | undefined,
  ): Generator<CassetteEntry> {
    const type = value.type;
    if (type === 'run.header') {
      throw fail(line, 'a second run.header; a cassette holds one run, and its header is line 1');
    }
    if (typeof type !== 'string' || !LINE_TYPES.includes(type as never)) {
      const got =
        typeof type === 'string' ? `unknown line type "${type}"` : 'the line has no "type"';
      throw fail(line, `${got}; expected one of ${LINE_TYPES.join(', ')}`);
    }
    if (seal) throw fail(line, `a ${type} line after the run.seal on line ${seal.line}`);
    const closing = type === 'model.response' ? open.get(String(value.correlation_id)) : undefined;
    const stream = value.stream as Record<string, unknown> | undefined;
    if (closing && stream && typeof stream === 'object' && stream.events === undefined) {
      // The closing line may omit its events: they are on the stream.event lines above it.
      value = { ...value, stream: { ...stream, events: [] } };
    }
    let entry: BodyLine;
    if (trusted) entry = value as BodyLine;
    else {
      const parsed = BodyLine.safeParse(value);
      if (!parsed.success) {
        const label = STEP_LINE.has(type) ? `step ${type}` : type;
        throw fail(line, describeIssues(label, parsed.error, value));
      }
      entry = parsed.data;
    }
    switch (entry.type) {
      case 'stream.open': {
        if (open.has(entry.correlation_id)) {
          const first = open.get(entry.correlation_id)!.line;
          throw fail(
            line,
            `stream.open for "${entry.correlation_id}" while the stream opened on line ${first} is still open`,
          );
        }
        reserve(entry.index, line);
        open.set(entry.correlation_id, { head: entry, events: [], line, spans: extend([], span) });
        return;
      }
      case 'stream.event': {
        const target = open.get(entry.correlation_id);
        if (!target)
          throw fail(line, `stream.event for "${entry.correlation_id}", which has no open stream`);
        if (entry.seq !== target.events.length) {
          throw fail(
            line,
            `stream.event seq ${entry.seq} for "${entry.correlation_id}" is out of order; expected ${target.events.length}`,
          );
        }
        const { type: _t, correlation_id: _c, seq: _s, ...event } = entry;
        target.events.push(event);
        target.spans = extend(target.spans, span);
        return;
      }
      case 'run.seal': {
        const still = [...open.values()][0];
        if (still) {
          throw fail(
            line,
            `run.seal while the stream "${still.head.correlation_id}" opened on line ${still.line} is still open`,
          );
        }
        seal = { value: entry, line };
        return;
      }
      case 'model.response':
        if (closing) {
          closing.spans = extend(closing.spans, span);
          yield* close(entry, closing, line);
          return;
        }
        break;
    }
    reserve(entry.index, line);
    ready.set(entry.index, { step: entry, line, spans: extend([], span) });
    yield* flush();
  }

  function* close(
    entry: ModelResponse,
    target: OpenStream,
    line: number,
  ): Generator<CassetteEntry> {
    const cid = entry.correlation_id;
    if (entry.index !== target.head.index) {
      throw fail(
        line,
        `model.response closing the stream "${cid}" has index ${entry.index}; its stream.open on line ${target.line} has ${target.head.index}`,
      );
    }
    if (!entry.stream) {
      throw fail(
        line,
        `model.response closing the stream "${cid}" has no "stream" field (format and state)`,
      );
    }
    if (entry.stream.events.length > 0 && target.events.length > 0) {
      throw fail(
        line,
        `model.response closing the stream "${cid}" repeats events already given as stream.event lines`,
      );
    }
    const events = target.events.length > 0 ? target.events : entry.stream.events;
    open.delete(cid);
    ready.set(entry.index, {
      step: { ...entry, stream: { ...entry.stream, events } },
      line: target.line,
      spans: target.spans,
    });
    yield* flush();
  }

  return {
    *line(
      text: string,
      line: number,
      mayBeTorn: boolean,
      span?: LineSpan,
    ): Generator<CassetteEntry> {
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        if (!mayBeTorn) {
          const start = text.length > 40 ? `${text.slice(0, 37)}...` : text;
          throw fail(
            line,
            `not valid JSON (the line starts ${JSON.stringify(start)}); each line must be one JSON object`,
          );
        }
        if (!header && !resumed) {
          throw fail(
            line,
            'the run.header line is cut short (the writer stopped mid-write); there is nothing to recover',
          );
        }
        const message = `${file}:${line}: torn last line (the writer stopped mid-write); skipped it and kept everything before it`;
        yield { kind: 'warning', message, line };
        return;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw fail(line, `expected a JSON object, got ${kindOf(value)}`);
      }
      const record = value as Record<string, unknown>;
      if (record.type !== 'run.seal') content?.update(text).update('\n');
      if (header || resumed) {
        yield* body(record, line, span);
        return;
      }
      header = parseHeader(record, line);
      trusted = verify === 'content' && sameWriter(header);
      yield { kind: 'header', header, line };
    },

    *finish(): Generator<CassetteEntry> {
      if (!header && !resumed) {
        throw new CassetteFormatError(
          file,
          undefined,
          'the file holds no lines; a .rpk cassette starts with a run.header line',
        );
      }
      for (const target of open.values()) {
        // A crash mid-stream: every event received is on disk, so keep them as an interrupted response.
        const { type: _t, format, ...base } = target.head;
        const message = `stream ended without a closing model.response (the writer stopped after ${target.events.length} events)`;
        const step: ModelResponse = {
          ...base,
          type: 'model.response',
          stream: { format, state: 'interrupted', events: target.events },
          diagnostics: [{ message }],
        };
        ready.set(step.index, { step, line: target.line, spans: target.spans });
        yield {
          kind: 'warning',
          message: `${file}:${target.line}: the stream "${base.correlation_id}" (step ${base.index}) has no closing model.response; kept it as interrupted with ${target.events.length} events`,
          line: target.line,
        };
      }
      open.clear();
      yield* flush();
      if (seal) yield* checkSeal(seal.value, seal.line);
      else if (trusted) {
        // Lines were taken unvalidated on the strength of a seal that is not there.
        throw new CassetteFormatError(
          file,
          undefined,
          'not sealed, so its lines must be validated; read it canonically',
        );
      }
      const end = { kind: 'end', seal: seal?.value, steps: hasher.count } as const;
      yield verify === 'content' ? end : { ...end, sha256: hasher.digest() };
    },
  };

  function* checkSeal(value: RunSeal, line: number): Generator<CassetteEntry> {
    const { integrity, sha256, content_sha256 } = value;
    if (sha256 === undefined && content_sha256 === undefined) {
      throw fail(
        line,
        'run.seal has neither "sha256" nor "content_sha256"; remove the seal line or re-seal the file',
      );
    }
    if (value.steps !== hasher.count) {
      throw fail(
        line,
        `run.seal counts ${value.steps} steps but the file holds ${hasher.count}; the file was changed after it was sealed`,
      );
    }
    const lines = content?.digest('hex');
    if (verify === 'content' || (sha256 === undefined && integrity === undefined)) {
      if (content_sha256 !== lines) {
        const sealed = content_sha256 ? `${content_sha256.slice(0, 12)}...` : 'absent';
        throw fail(
          line,
          `run.seal content_sha256 (${sealed}) does not match the lines (${lines?.slice(0, 12)}...); the file was changed after it was sealed`,
        );
      }
      return;
    }
    if (integrity !== undefined && integrity !== base.digest()) {
      throw fail(
        line,
        `run.seal integrity ${integrity.slice(0, 12)}... does not match the steps (${base.digest().slice(0, 12)}...); the file was changed after it was sealed`,
      );
    }
    const canonical = hasher.digest();
    if (sha256 === undefined || sha256 === canonical) return;
    if (integrity === undefined) {
      throw fail(
        line,
        `run.seal sha256 ${sha256.slice(0, 12)}... does not match the steps (${canonical.slice(0, 12)}...); the file was changed after it was sealed`,
      );
    }
    // The steps are intact; only the provider normalisation rules differ from the sealer's.
    yield {
      kind: 'warning',
      message: `${file}:${line}: run.seal sha256 was computed with other normalisation rules (another replaykit version); the steps are unchanged and the canonical hash is ${canonical}`,
      line,
    };
  }
}
