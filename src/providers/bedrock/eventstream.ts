/**
 * AWS event streams (`application/vnd.amazon.eventstream`), as Bedrock's ConverseStream and
 * InvokeModelWithResponseStream send them: binary messages of a prelude (total and header
 * lengths, CRC), typed headers, a payload and a CRC. @smithy/eventstream-codec (AWS's own codec)
 * decodes and encodes each message, CRCs checked; only the 4-byte total length that says where a
 * message ends is read here, to cut messages out of chunks split anywhere.
 *
 * A message becomes one event: `event` is its `:event-type` (`exception:<type>` for an
 * exception message), `data` its JSON payload. InvokeModelWithResponseStream wraps each of the
 * model's own events as base64 in `chunk.bytes`: stored decoded (readable, and redaction sees the
 * text), re-encoded on replay. `raw` (base64 of the exact message) is kept only when encoding the
 * event again would not give the same bytes back (headers in another order, other headers).
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { FrameFault, RawFrame } from '../sse.ts';

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

const EXCEPTION = 'exception:';
/** The smallest message: prelude (12 bytes) and message CRC (4), no headers, no payload. */
const MINIMUM = 16;

/** Base64 that decodes to exactly this JSON text: stored parsed, so it is readable. */
function decodeChunkBytes(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null) return payload;
  const bytes = (payload as { bytes?: unknown }).bytes;
  if (typeof bytes !== 'string') return payload;
  const text = Buffer.from(bytes, 'base64').toString('utf8');
  if (Buffer.from(text, 'utf8').toString('base64') !== bytes) return payload;
  try {
    const inner: unknown = JSON.parse(text);
    if (JSON.stringify(inner) !== text) return payload;
    return { ...payload, bytes: inner };
  } catch {
    return payload;
  }
}

function encodeChunkBytes(data: unknown): unknown {
  if (typeof data !== 'object' || data === null) return data;
  const bytes = (data as { bytes?: unknown }).bytes;
  if (bytes === undefined || typeof bytes === 'string') return data;
  return { ...data, bytes: Buffer.from(JSON.stringify(bytes), 'utf8').toString('base64') };
}

/** One event's message, headers in the order Bedrock sends them. */
export function encodeEventstreamEvent(ev: {
  event?: string;
  data: unknown;
  raw?: string;
}): Uint8Array {
  if (ev.raw !== undefined) return new Uint8Array(Buffer.from(ev.raw, 'base64'));
  const name = ev.event ?? 'chunk';
  const exception = name.startsWith(EXCEPTION);
  const type = exception ? name.slice(EXCEPTION.length) : name;
  const payload = encodeChunkBytes(ev.data);
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return codec.encode({
    headers: {
      [exception ? ':exception-type' : ':event-type']: { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: exception ? 'exception' : 'event' },
    },
    body: new TextEncoder().encode(body),
  });
}

function header(headers: Record<string, { type: string; value: unknown }>, name: string) {
  const h = headers[name];
  return h?.type === 'string' ? String(h.value) : undefined;
}

export interface EventstreamFramer {
  push(chunk: Uint8Array): RawFrame[];
  end(): RawFrame[];
  readonly faults: FrameFault[];
}

export function createEventstreamFramer(): EventstreamFramer {
  const faults: FrameFault[] = [];
  let buffer: Buffer = Buffer.alloc(0);
  let offset = 0; // byte offset of buffer[0] in the stream
  let broken = false; // a message failed to decode: its length cannot be trusted past it

  function message(bytes: Buffer, at: number): RawFrame | null {
    let decoded: ReturnType<EventStreamCodec['decode']>;
    try {
      decoded = codec.decode(bytes);
    } catch (error) {
      faults.push({ byte_offset: at, message: `malformed event-stream message: ${String(error)}` });
      broken = true;
      return null;
    }
    const messageType = header(decoded.headers, ':message-type') ?? 'event';
    const event =
      messageType === 'event'
        ? (header(decoded.headers, ':event-type') ?? 'chunk')
        : `${EXCEPTION}${header(decoded.headers, ':exception-type') ?? header(decoded.headers, ':error-code') ?? messageType}`;
    const text = new TextDecoder().decode(decoded.body);
    let data = text;
    try {
      data = JSON.stringify(decodeChunkBytes(JSON.parse(text)));
    } catch {
      // Not JSON: kept as text (capture reports it).
    }
    const frame: RawFrame = { byte_offset: at, event, data };
    let parsed: unknown = data;
    try {
      parsed = JSON.parse(data);
    } catch {}
    const again = encodeEventstreamEvent({ event, data: parsed });
    if (!Buffer.from(again).equals(bytes)) frame.raw = bytes.toString('base64');
    return frame;
  }

  function drain(): RawFrame[] {
    const frames: RawFrame[] = [];
    while (!broken && buffer.length >= 4) {
      const total = buffer.readUInt32BE(0);
      if (total < MINIMUM) {
        faults.push({ byte_offset: offset, message: `event-stream message of ${total} bytes` });
        broken = true;
        break;
      }
      if (buffer.length < total) break;
      const bytes = buffer.subarray(0, total);
      const f = message(Buffer.from(bytes), offset);
      if (f) frames.push(f);
      buffer = buffer.subarray(total);
      offset += total;
    }
    return frames;
  }

  return {
    faults,
    push(chunk) {
      if (broken) return [];
      buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
      return drain();
    },
    end() {
      const frames = drain();
      if (!broken && buffer.length > 0) {
        faults.push({
          byte_offset: offset,
          message: `event-stream ended inside a message (${buffer.length} bytes left)`,
        });
      }
      return frames;
    },
  };
}
