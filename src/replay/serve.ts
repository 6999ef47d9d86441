/**
 * Turns a recorded `model.response` back into a web `Response`. Streams are re-emitted event by
 * event through a real ReadableStream (never one buffered chunk), so SDK stream helpers, `for await`
 * loops and abort signals behave as they did live. An interrupted stream errors after its last
 * recorded event, as the dropped connection did.
 */
import type { ModelResponse, StreamEvent } from '../cassette/schema.ts';
import { encodeStreamEvent } from '../providers/index.ts';

/** Headers that described the recorded transfer, not the content: the new Response sets its own. */
const TRANSFER_HEADERS = new Set([
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'connection',
  'keep-alive',
]);

export interface ServeOptions {
  /** 0 = instant (default), 1 = recorded timing, 2 = twice as fast, ... */
  replaySpeed?: number;
  signal?: AbortSignal;
  /** The recorded body was cut off (an `E_UPSTREAM_ABORTED` error): error after its bytes. */
  truncated?: boolean;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

export function responseHeaders(step: ModelResponse): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(step.headers)) {
    if (!TRANSFER_HEADERS.has(name.toLowerCase())) headers.set(name, value);
  }
  return headers;
}

export function bodyBytes(step: {
  body?: unknown;
  body_text?: string;
  body_base64?: string;
}): Uint8Array | null {
  if (step.body_base64 !== undefined) return Buffer.from(step.body_base64, 'base64');
  if (step.body_text !== undefined) return new TextEncoder().encode(step.body_text);
  if (step.body !== undefined) return new TextEncoder().encode(JSON.stringify(step.body));
  return null;
}

export function toResponse(step: ModelResponse, options: ServeOptions = {}): Response {
  const init = { status: step.status, headers: responseHeaders(step) };
  if (NULL_BODY_STATUS.has(step.status)) return new Response(null, init);
  if (!step.stream) {
    const bytes = bodyBytes(step);
    if (options.truncated) return new Response(cutOff(bytes), init);
    return new Response(bytes ? new Blob([bytes as Uint8Array<ArrayBuffer>]) : null, init);
  }
  return new Response(eventStream(step.stream, options), init);
}

/** Wire text for each event, including the framing a JSON-array stream needs around elements. */
export function* wireChunks(stream: NonNullable<ModelResponse['stream']>): Generator<string> {
  const arrayFraming = stream.format === 'json-array';
  let first = true;
  for (const ev of stream.events) {
    const text = encodeStreamEvent(stream.format, ev);
    yield arrayFraming ? `${first ? '[' : ',\r\n'}${text}` : text;
    first = false;
  }
  if (arrayFraming && stream.state !== 'interrupted') yield first ? '[]' : ']';
}

function eventStream(
  stream: NonNullable<ModelResponse['stream']>,
  { replaySpeed = 0, signal }: ServeOptions,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const chunks = wireChunks(stream);
  const events: StreamEvent[] = stream.events;
  let i = 0;
  let previousOffset = events[0]?.offset_ms ?? 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (signal?.aborted) {
        controller.error(signal.reason);
        return;
      }
      const ev = events[i];
      if (replaySpeed > 0 && ev) {
        await delay((ev.offset_ms - previousOffset) / replaySpeed, signal);
        previousOffset = ev.offset_ms;
      }
      i++;
      const next = chunks.next();
      if (next.done) {
        if (stream.state === 'interrupted') {
          // A dropped connection's close arrives after its data: let a client that is still
          // parsing the last events see them before the failure (an instant replay would
          // otherwise fail the stream while its events are still queued, and they would be lost).
          await new Promise((resolve) => setTimeout(resolve, 1));
          controller.error(new TypeError('terminated: the recorded stream was interrupted here'));
        } else {
          controller.close();
        }
        return;
      }
      controller.enqueue(encoder.encode(next.value));
    },
  });
}

/** The recorded bytes, then the same failure the client saw when the connection dropped. */
function cutOff(bytes: Uint8Array | null): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent && bytes && bytes.length > 0) {
        sent = true;
        controller.enqueue(bytes);
        return;
      }
      controller.error(new TypeError('terminated: the recorded response was cut off here'));
    },
  });
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
