/**
 * Incremental framing of a streamed JSON array (Gemini `:streamGenerateContent` without
 * `alt=sse`): `[{...},\r\n{...}]` arrives at any split. A small scanner tracks strings, escapes
 * and nesting depth so each top-level element is delivered as soon as its closing brace arrives.
 */
import type { FrameFault, RawFrame } from './sse.ts';
import { utf8Length } from './util.ts';

export interface JsonArrayFramer {
  push(chunk: Uint8Array): RawFrame[];
  end(): RawFrame[];
  readonly faults: FrameFault[];
  /** The closing `]` has been seen. */
  readonly closed: boolean;
}

type Phase = 'before' | 'between' | 'element' | 'after';

export function createJsonArrayFramer(): JsonArrayFramer {
  const decoder = new TextDecoder('utf-8');
  const faults: FrameFault[] = [];
  let phase: Phase = 'before';
  let bytes = 0; // byte offset of the next character to scan
  let element = '';
  let elementStart = 0;
  let depth = 0; // nesting inside the current element
  let inString = false;
  let escaped = false;
  // When the body is a bare object instead of an array (an error reply), elements sit at depth 0.
  let base = 1;
  let strayReported = false;

  function fault(message: string): void {
    faults.push({ byte_offset: bytes, message });
  }

  function stray(ch: string): void {
    if (!strayReported) fault(`unexpected ${JSON.stringify(ch)} outside an array element`);
    strayReported = true;
  }

  function scan(text: string): RawFrame[] {
    const out: RawFrame[] = [];
    for (const ch of text) {
      const size = utf8Length(ch);
      if (phase === 'element') {
        element += ch;
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === '\\') escaped = true;
          else if (ch === '"') inString = false;
        } else if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth++;
        else if (ch === '}' || ch === ']') depth--;
        if (depth === 0 && !inString) {
          out.push({ byte_offset: elementStart, data: element });
          element = '';
          phase = base === 0 ? 'after' : 'between';
        }
      } else if (/\s/.test(ch)) {
        // whitespace between tokens
      } else if (phase === 'before') {
        if (ch === '[') phase = 'between';
        else if (ch === '{') {
          fault('expected "[" at the start of a JSON array stream; got an object');
          base = 0;
          startElement(ch);
        } else stray(ch);
      } else if (phase === 'between') {
        if (ch === ',') {
          // separator
        } else if (ch === ']') phase = 'after';
        else if (ch === '{' || ch === '[') startElement(ch);
        else stray(ch);
      } else stray(ch);
      bytes += size;
    }
    return out;
  }

  function startElement(ch: string): void {
    phase = 'element';
    element = ch;
    elementStart = bytes;
    depth = 1;
    inString = false;
    escaped = false;
  }

  return {
    faults,
    get closed() {
      return phase === 'after' && base === 1;
    },
    push(chunk) {
      return scan(decoder.decode(chunk, { stream: true }));
    },
    end() {
      const out = scan(decoder.decode());
      if (phase === 'element') {
        // A truncated element is still handed over: the capture reports it as malformed.
        out.push({ byte_offset: elementStart, data: element });
        element = '';
        phase = 'after';
      }
      return out;
    },
  };
}
