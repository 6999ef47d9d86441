/**
 * Turns a recorded `model.response` back into what the client reads: first a plain description
 * (`served`: status, header pairs, the body's wire chunks), which the fetch route hands straight
 * to undici's handler callbacks, then, for callers that need one, a web `Response` (`toResponse`).
 * Streams are re-emitted event by event (never one buffered chunk), so SDK stream helpers,
 * `for await` loops and abort signals behave as they did live. An interrupted stream errors after
 * its last recorded event, as the dropped connection did.
 */
import type { ModelResponse } from '../cassette/schema.ts';
import { type DecodedBody, encodeBody, streamCodec } from '../providers/index.ts';

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

/** A recorded response as the client is to receive it, before any web `Response` is built. */
export interface Served {
  status: number;
  /** Lower-case names, transfer headers left out. */
  headers: [string, string][];
  /** The body as sent: the whole of it in one chunk, or one chunk per stream event; null: none. */
  chunks: Buffer[] | null;
  /** Milliseconds to wait before each chunk (recorded gaps at `replaySpeed`); absent: instant. */
  waits?: number[];
  /** The connection dropped after the last chunk (interrupted stream, body cut off): its error. */
  failure?: string;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function headerPairs(step: ModelResponse): [string, string][] {
  const pairs: [string, string][] = [];
  for (const name in step.headers) {
    const lower = name.toLowerCase();
    if (!TRANSFER_HEADERS.has(lower)) pairs.push([lower, step.headers[name]!]);
  }
  return pairs;
}

/** The bytes of a stored body (`encodeBody`: base64, multipart parts, text or JSON). */
export const bodyBytes = (step: DecodedBody): Buffer | null => encodeBody(step);

export function served(step: ModelResponse, options: ServeOptions = {}): Served {
  const out: Served = { status: step.status, headers: headerPairs(step), chunks: null };
  if (NULL_BODY_STATUS.has(step.status)) return out;
  if (!step.stream) {
    const bytes = bodyBytes(step);
    out.chunks = bytes ? [bytes] : options.truncated ? [] : null;
    if (options.truncated) out.failure = 'terminated: the recorded response was cut off here';
    return out;
  }
  const chunks: Buffer[] = [];
  for (const text of wireChunks(step.stream)) chunks.push(Buffer.from(text));
  out.chunks = chunks;
  const speed = options.replaySpeed ?? 0;
  const events = step.stream.events;
  if (speed > 0 && events.length > 0) {
    // The gap before each event; the closing chunk of a JSON array follows its last event.
    out.waits = events.map((ev, i) =>
      i === 0 ? 0 : (ev.offset_ms - events[i - 1]!.offset_ms) / speed,
    );
  }
  if (step.stream.state === 'interrupted' && step.stream.ending !== 'clean') {
    out.failure = 'terminated: the recorded stream was interrupted here';
  }
  return out;
}

export function toResponse(step: ModelResponse, options: ServeOptions = {}): Response {
  return responseOf(served(step, options), options.signal);
}

/** The web `Response` for a served answer: its chunks come out one read at a time. */
export function responseOf(
  answer: Served,
  signal?: AbortSignal,
  ResponseClass: typeof Response = Response,
): Response {
  const init = { status: answer.status, headers: answer.headers };
  const { chunks } = answer;
  if (!chunks) return new ResponseClass(null, init);
  if (chunks.length === 1 && !answer.failure && !answer.waits) {
    // The bytes themselves, as a canned fetch would: a Blob around them cost a blob reader per
    // response (issue 15's profile: ~3 % of replay).
    return new ResponseClass(chunks[0] as Buffer<ArrayBuffer>, init);
  }
  let i = 0;
  return new ResponseClass(
    new ReadableStream<Uint8Array>({
      start(controller) {
        // As fetch does: an abort fails the body at once, even while a read waits (a pacing
        // delay, a dropped connection's close), so the client sees its own AbortError.
        signal?.addEventListener('abort', () => controller.error(signal.reason), { once: true });
      },
      async pull(controller) {
        if (signal?.aborted) return controller.error(signal.reason);
        const wait = answer.waits?.[i] ?? 0;
        if (wait > 0) await delay(wait, signal);
        if (signal?.aborted) return;
        if (i < chunks.length) return controller.enqueue(chunks[i++]!);
        if (!answer.failure) return controller.close();
        await dropped();
        if (signal?.aborted) return;
        controller.error(new TypeError(answer.failure));
      },
    }),
    init,
  );
}

/**
 * A dropped connection's close arrives after its data: let a client that is still parsing the
 * last chunks see them before the failure (an instant replay would otherwise fail the stream
 * while its events are still queued, and they would be lost).
 */
export function dropped(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1));
}

/** A WebSocket turn's text frames, one per recorded event. */
export function textFrames(stream: NonNullable<ModelResponse['stream']>): string[] {
  return [...wireChunks(stream)].map((f) =>
    typeof f === 'string' ? f : Buffer.from(f).toString(),
  );
}

/** Wire chunks for each event, with the framing its format needs (the format's codec decides). */
export function wireChunks(
  stream: NonNullable<ModelResponse['stream']>,
): Iterable<string | Uint8Array> {
  return streamCodec(stream.format).wire(stream);
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
