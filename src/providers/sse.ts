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
}

const LINE = /[^\r\n]*(?:\r\n|\r|\n)/y;

export function createSseFramer(): SseFramer {
  const decoder = new TextDecoder('utf-8');
  const faults: FrameFault[] = [];
  let out: RawFrame[] = [];
  let consumed = 0; // bytes of text already fed to the parser
  let lineStart = 0; // byte offset of the line being fed
  let blockStart: number | null = null;
  let pending = ''; // unterminated tail of the decoded text
  let lastEndedWithCR = false;

  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      const frame: RawFrame = { byte_offset: blockStart ?? lineStart, data: message.data };
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
    parser.feed(line);
    consumed += utf8Length(line);
    if (blank && !continuation) blockStart = null;
    lastEndedWithCR = line.endsWith('\r');
  }

  function drain(text: string): RawFrame[] {
    out = [];
    let buffer = pending + text;
    let index = 0;
    for (;;) {
      LINE.lastIndex = index;
      const match = LINE.exec(buffer);
      if (!match) break;
      feedLine(match[0]);
      index = LINE.lastIndex;
    }
    buffer = buffer.slice(index);
    pending = buffer;
    return out;
  }

  return {
    faults,
    push(chunk) {
      return drain(decoder.decode(chunk, { stream: true }));
    },
    end() {
      const rest = drain(decoder.decode());
      out = rest;
      // An unterminated last frame is still delivered, as if the stream had ended cleanly.
      if (pending !== '') {
        const tail = pending;
        pending = '';
        feedLine(`${tail}\n`);
      }
      if (blockStart !== null) feedLine('\n');
      return out;
    },
  };
}
