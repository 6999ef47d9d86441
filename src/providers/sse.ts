/**
 * Incremental SSE framing over raw bytes. eventsource-parser does the SSE grammar (multi-line
 * `data:`, comments, CR/LF/CRLF, `event:`/`id:`); around it we add a streaming UTF-8 decoder (a
 * chunk may end inside a multi-byte character) and byte offsets, fed line by line so that every
 * frame and every fault can be located in the original bytes.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { utf8Length } from './util.ts';

export interface RawFrame {
  /** Byte offset of the first line of the frame in the stream. */
  byte_offset: number;
  event?: string;
  id?: string;
  data: string;
  /**
   * The exact text of the frame: every line since the previous frame (comments, lines that made
   * no event) through the blank line that ended it. Concatenated with the framer's `tail`, the
   * frames give back the stream's text exactly (issue 14 item 2).
   */
  raw?: string;
}

export interface FrameFault {
  byte_offset: number;
  message: string;
}

export interface SseFramer {
  push(chunk: Uint8Array): RawFrame[];
  /** Flush what is left; an unterminated last frame is still delivered (servers that end abruptly). */
  end(): RawFrame[];
  /** Faults seen so far (unknown fields, stray text), in order. */
  readonly faults: FrameFault[];
  /** The line ending of the stream's first line (`\n` until one is seen). */
  readonly eol: '\n' | '\r\n' | '\r';
  /** After `end()`: text after the last frame that made no event (a comment, stray lines). */
  readonly tail: string;
}

const LINE = /[^\r\n]*(?:\r\n|\r|\n)/y;

const lineEnding = (line: string) =>
  line.endsWith('\r\n') ? '\r\n' : line.endsWith('\r') ? '\r' : '\n';

export function createSseFramer(): SseFramer {
  const decoder = new TextDecoder('utf-8');
  const faults: FrameFault[] = [];
  let out: RawFrame[] = [];
  let consumed = 0; // bytes of text already fed to the parser
  let lineStart = 0; // byte offset of the line being fed
  let blockStart: number | null = null;
  let pending = ''; // unterminated tail of the decoded text
  let lastEndedWithCR = false;
  let eol: SseFramer['eol'] | null = null;
  let segment = ''; // exact text since the previous frame
  let tail = '';
  let synthetic = false; // the line being fed was made up by end(), not received

  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      const frame: RawFrame = {
        byte_offset: blockStart ?? lineStart,
        data: message.data,
        raw: segment,
      };
      segment = '';
      if (message.event !== undefined) frame.event = message.event;
      if (message.id !== undefined) frame.id = message.id;
      out.push(frame);
      blockStart = null;
    },
    onError(error) {
      faults.push({ byte_offset: lineStart, message: `malformed SSE line: ${error.message}` });
    },
  });

  function feedLine(line: string): void {
    // A lone "\n" right after a chunk that ended in "\r" is the second half of CRLF, not a blank line.
    const continuation = lastEndedWithCR && line === '\n';
    const blank = line === '\n' || line === '\r' || line === '\r\n';
    if (!blank && blockStart === null) blockStart = consumed;
    lineStart = consumed;
    if (eol === null && !synthetic) eol = lineEnding(line);
    if (!synthetic) segment += line;
    parser.feed(line);
    consumed += utf8Length(line);
    if (blank && !continuation) blockStart = null;
    lastEndedWithCR = line.endsWith('\r');
  }

  function drain(text: string, final = false): RawFrame[] {
    out = [];
    let buffer = pending + text;
    let index = 0;
    for (;;) {
      LINE.lastIndex = index;
      const match = LINE.exec(buffer);
      if (!match) break;
      // A line ending in CR at the end of a chunk may be half of a CRLF: it waits for the next
      // chunk, so the frames (and their exact text) are the same at any chunking.
      if (!final && LINE.lastIndex === buffer.length && match[0].endsWith('\r')) break;
      feedLine(match[0]);
      index = LINE.lastIndex;
    }
    buffer = buffer.slice(index);
    pending = buffer;
    return out;
  }

  return {
    faults,
    get eol() {
      return eol ?? '\n';
    },
    get tail() {
      return tail;
    },
    push(chunk) {
      return drain(decoder.decode(chunk, { stream: true }));
    },
    end() {
      const rest = drain(decoder.decode(), true);
      out = rest;
      // An unterminated last frame is still delivered, as if the stream had ended cleanly; the
      // line break made up for it is not part of its exact text.
      if (pending !== '') {
        const last = pending;
        pending = '';
        segment += last;
        synthetic = true;
        feedLine(`${last}\n`);
      }
      synthetic = true;
      if (blockStart !== null) feedLine('\n');
      synthetic = false;
      tail = segment;
      segment = '';
      return out;
    },
  };
}
