/**
 * Recorded events back to wire bytes for replay. Each encoder is the inverse of the capture's
 * framing: decoding what it produces gives the same events again (property-tested).
 */
import type { StreamEvent, StreamFormat } from '../cassette/schema.ts';

/** Gemini's JSON-array stream: `[`, elements joined by `,\r\n`, `]` (as the REST API sends it). */
export const JSON_ARRAY = { open: '[', separator: ',\r\n', close: ']' } as const;

// What a JSON text can start with, after optional whitespace: an object, array, string, number
// or literal. A string starting otherwise never parses.
const JSON_START = /^[\t\n\r ]*[{["\-0-9tfn]/;

/**
 * Frame text for one event's data. Strings are sent raw when raw text reads back as the same
 * string (`[DONE]`, malformed frames); a string that would read back as other JSON is quoted.
 */
export function dataText(data: unknown): string {
  if (typeof data !== 'string') return JSON.stringify(data) ?? 'null';
  // Text that cannot be JSON is raw without a try: a thrown SyntaxError (every Chat Completions
  // stream ends with `[DONE]`) costs more than encoding the rest of the stream.
  if (data === '[DONE]' || !JSON_START.test(data)) return data;
  try {
    JSON.parse(data);
    return JSON.stringify(data);
  } catch {
    return data;
  }
}

const LINE_BREAK = /[\r\n]/;

export type Eol = '\n' | '\r\n' | '\r';

/** The frame as a server writing `event`, `id` and `data` in that order would, `eol` ending lines. */
export function sseFrame(ev: StreamEvent, eol: Eol = '\n'): string {
  let out = '';
  if (ev.event !== undefined) out += `event: ${ev.event}${eol}`;
  if (ev.id !== undefined) out += `id: ${ev.id}${eol}`;
  const text = dataText(ev.data);
  // JSON text never holds a raw line break; a raw text with newlines goes out as several data:
  // lines, which the parser joins back.
  if (!LINE_BREAK.test(text)) return `${out}data: ${text}${eol}${eol}`;
  for (const line of text.split(/\r\n|\r|\n/)) out += `data: ${line}${eol}`;
  return `${out}${eol}`;
}

/**
 * One event as it goes on the wire: an SSE frame (its exact recorded text when kept), a WebSocket
 * text frame or a JSON-array element.
 */
export function encodeStreamEvent(format: StreamFormat, ev: StreamEvent, eol?: Eol): string {
  if (format === 'sse') return ev.raw ?? sseFrame(ev, eol);
  return dataText(ev.data);
}

/**
 * The whole stream as ordered wire chunks: one per event (so a replay can pace them by
 * `offset_ms`), plus the brackets for a JSON array. For WebSocket each chunk is one text frame.
 */
export function encodeStream(
  format: StreamFormat,
  events: readonly StreamEvent[],
  options: { complete?: boolean; eol?: Eol; tail?: string } = {},
): string[] {
  if (format !== 'json-array') {
    const chunks = events.map((ev) => encodeStreamEvent(format, ev, options.eol));
    if (options.tail) chunks.push(options.tail);
    return chunks;
  }
  // An interrupted recording replays as interrupted: no closing bracket.
  const close = options.complete === false ? '' : JSON_ARRAY.close;
  const chunks = events.map((ev, i) => (i === 0 ? '' : JSON_ARRAY.separator) + dataText(ev.data));
  if (chunks.length === 0) return [JSON_ARRAY.open + close];
  chunks[0] = JSON_ARRAY.open + chunks[0];
  chunks[chunks.length - 1] += close;
  return chunks;
}
