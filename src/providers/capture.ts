/**
 * createStreamCapture: bytes (SSE, JSON array) or WebSocket frames in, ordered provider events
 * out, with assembly running alongside. It sits on the capture path, so it never throws: a frame
 * that does not parse is kept as raw text and reported as a diagnostic naming its position.
 */
import type { Diagnostic, StreamEvent, StreamFormat } from '../cassette/schema.ts';
import { createAssembler } from './assemble.ts';
import type { AssemblyResult } from './assembler.ts';
import { sseFrame } from './encode.ts';
import type { RawFrame } from './sse.ts';
import { streamCodec } from './stream-formats.ts';
import type { RouteInfo, StreamCapture } from './types.ts';
import { parseData } from './util.ts';

export function createStreamCapture(route: RouteInfo): StreamCapture {
  const format: StreamFormat = route.streamFormat ?? 'sse';
  const codec = streamCodec(format);
  const framer = codec.framer();
  const assembler = createAssembler(route);
  const diagnostics: Diagnostic[] = [];
  const events: StreamEvent[] = [];
  let frames = 0;
  let wsBytes = 0;
  let lastOffset = 0;
  let finished: ReturnType<StreamCapture['finish']> | null = null;

  function accept(raw: RawFrame, offset_ms: number): StreamEvent {
    const frame = frames++;
    // `[DONE]` is the one expected non-JSON frame (Chat Completions); keep it as its raw text.
    const { data, json } = parseData(raw.data);
    if (!json && raw.data !== '[DONE]') {
      const preview = raw.data.length > 60 ? `${raw.data.slice(0, 60)}…` : raw.data;
      diagnostics.push({
        message: `malformed frame ${frame} at byte ${raw.byte_offset}: not JSON: ${JSON.stringify(preview)}`,
        frame,
        byte_offset: raw.byte_offset,
      });
    }
    lastOffset = Math.max(lastOffset, offset_ms);
    // SSE names and ids are kept; WebSocket frames and array elements have neither.
    const sse = codec.sse === true;
    const named = sse || codec.named === true;
    const event: StreamEvent = {
      offset_ms: Math.max(0, offset_ms),
      ...(named && raw.event !== undefined ? { event: raw.event } : {}),
      ...(sse && raw.id !== undefined ? { id: raw.id } : {}),
      data,
    };
    // The exact text is kept only where re-encoding would not give it back (issue 14 item 2).
    if (sse && raw.raw !== undefined && raw.raw !== sseFrame(event, framer.eol)) {
      event.raw = raw.raw;
    } else if (codec.exact && raw.raw !== undefined) {
      event.raw = raw.raw;
    }
    try {
      assembler.add(data, raw.event, frame);
    } catch (error) {
      diagnostics.push({ message: `could not assemble frame ${frame}: ${String(error)}`, frame });
    }
    events.push(event);
    return event;
  }

  return {
    get done() {
      return assembler.done;
    },
    push(chunk, offset_ms) {
      try {
        return framer.push(chunk).map((raw) => accept(raw, offset_ms));
      } catch (error) {
        diagnostics.push({ message: `could not frame stream bytes: ${String(error)}` });
        return [];
      }
    },
    pushFrame(text, offset_ms) {
      const byte_offset = wsBytes;
      wsBytes += Buffer.byteLength(text);
      return [accept({ byte_offset, data: text }, offset_ms)];
    },
    finish(options) {
      if (finished) return finished;
      const aborted = options?.aborted === true;
      const tail: StreamEvent[] = [];
      try {
        for (const raw of framer.end()) tail.push(accept(raw, lastOffset));
      } catch (error) {
        diagnostics.push({ message: `could not frame stream bytes: ${String(error)}` });
      }
      let result: AssemblyResult;
      try {
        result = assembler.finish(aborted);
      } catch (error) {
        result = {
          state: 'interrupted',
          assembled: { text: '', tool_calls: [] },
          diagnostics: [{ message: `could not assemble stream: ${String(error)}` }],
        };
      }
      const faults = framer.faults.map((f) => ({
        message: `malformed stream at byte ${f.byte_offset}: ${f.message}`,
        byte_offset: f.byte_offset,
      }));
      const extra = tail.map((_, i) => ({
        message: `frame ${frames - tail.length + i} was not terminated when the stream ended`,
        frame: frames - tail.length + i,
      }));
      const eol = framer.eol && framer.eol !== '\n' ? { eol: framer.eol } : {};
      const rest = framer.tail ? { tail: framer.tail } : {};
      finished = {
        ...result,
        events,
        ...(codec.sse ? { framing: { ...eol, ...rest } } : {}),
        diagnostics: [...diagnostics, ...faults, ...extra, ...result.diagnostics],
      };
      return finished;
    },
  };
}
