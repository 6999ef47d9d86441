/**
 * Newline-delimited JSON streams (Ollama's native API: one JSON object per line, `\n` after
 * each). Lines are cut on the `\n` byte, which never occurs inside a multi-byte UTF-8 character,
 * so any chunk split frames the same way. A frame keeps its exact text (`raw`) when writing its
 * data back would give other bytes: Ollama is written in Go, whose encoder escapes `<`, `>` and
 * `&` as `\u003c`..., which JSON.parse/JSON.stringify do not give back.
 */
import { dataText } from './encode.ts';
import type { FrameFault, RawFrame } from './sse.ts';

export interface NdjsonFramer {
  push(chunk: Uint8Array): RawFrame[];
  /** An unterminated last line is still delivered (a server that ended abruptly). */
  end(): RawFrame[];
  readonly faults: FrameFault[];
  /** After `end()`: blank lines after the last frame. */
  readonly tail: string;
}

/** One event as it goes on the wire: its exact text when kept, else its JSON and a newline. */
export function ndjsonLine(ev: { data: unknown; raw?: string }): string {
  return ev.raw ?? `${dataText(ev.data)}\n`;
}

export function createNdjsonFramer(): NdjsonFramer {
  const decoder = new TextDecoder('utf-8');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let offset = 0; // byte offset of the first pending byte
  let blank = ''; // blank lines since the previous frame: part of the next frame's exact text
  let blankStart: number | null = null;
  let tail = '';

  function frame(bytes: Uint8Array, start: number): RawFrame | null {
    const text = decoder.decode(bytes);
    const line = text.replace(/\r?\n$/, '').replace(/\r$/, '');
    if (line.trim() === '') {
      if (blankStart === null) blankStart = start;
      blank += text;
      return null;
    }
    const raw = blank + text;
    const out: RawFrame = { byte_offset: blankStart ?? start, data: line };
    blank = '';
    blankStart = null;
    // Kept only when the data written back would differ (see the note above).
    let exact = false;
    try {
      exact = raw === `${dataText(JSON.parse(line))}\n`;
    } catch {
      exact = false;
    }
    if (!exact) out.raw = raw;
    return out;
  }

  return {
    faults: [],
    get tail() {
      return tail;
    },
    push(chunk) {
      const frames: RawFrame[] = [];
      let from = 0;
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] !== 0x0a) continue;
        const piece = chunk.subarray(from, i + 1);
        const bytes = pendingBytes === 0 ? piece : Buffer.concat([...pending, piece]);
        const start = offset;
        offset += bytes.length;
        pending = [];
        pendingBytes = 0;
        const f = frame(bytes, start);
        if (f) frames.push(f);
        from = i + 1;
      }
      if (from < chunk.length) {
        // Copied: the caller may reuse its buffer.
        pending.push(Uint8Array.prototype.slice.call(chunk, from));
        pendingBytes += chunk.length - from;
      }
      return frames;
    },
    end() {
      const frames: RawFrame[] = [];
      if (pendingBytes > 0) {
        const bytes = Buffer.concat(pending);
        const start = offset;
        offset += bytes.length;
        pending = [];
        pendingBytes = 0;
        const f = frame(bytes, start);
        if (f) frames.push(f);
      }
      tail = blank;
      blank = '';
      return frames;
    },
  };
}
