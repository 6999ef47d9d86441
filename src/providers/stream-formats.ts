/**
 * Stream wire formats: the built-in ones (SSE, a JSON array, WebSocket text frames) and those a
 * provider module brings (`streamCodecs`). Capture frames bytes with `framer()`; replay writes a
 * recorded stream back with `wire()`. Each is the other's inverse (property-tested).
 */
import type { StreamFormat } from '../cassette/schema.ts';
import { dataText, encodeStreamEvent, JSON_ARRAY } from './encode.ts';
import { createJsonArrayFramer } from './json-array.ts';
import type { RouteInfo, StreamCodec } from './module.ts';
import { PROVIDERS } from './registry.ts';
import { createSseFramer } from './sse.ts';

const SSE: StreamCodec = {
  format: 'sse',
  sse: true,
  framer: createSseFramer,
  *wire(stream) {
    for (const ev of stream.events) yield encodeStreamEvent('sse', ev, stream.eol);
    if (stream.tail) yield stream.tail;
  },
  matches: (contentType) => contentType.includes('text/event-stream'),
};

/** Gemini's stream without `alt=sse`: `[`, elements joined by `,\r\n`, `]`. */
const JSON_ARRAY_CODEC: StreamCodec = {
  format: 'json-array',
  framer: createJsonArrayFramer,
  *wire(stream) {
    let first = true;
    for (const ev of stream.events) {
      yield `${first ? JSON_ARRAY.open : JSON_ARRAY.separator}${dataText(ev.data)}`;
      first = false;
    }
    // An interrupted recording replays as interrupted: no closing bracket.
    if (stream.state !== 'interrupted')
      yield first ? JSON_ARRAY.open + JSON_ARRAY.close : JSON_ARRAY.close;
    if (stream.tail) yield stream.tail;
  },
  // An error reply on a streaming route is a plain JSON body, not the stream.
  matches: (_contentType, _route, status) => status < 400,
};

/** One text frame per event; frames arrive whole (`pushFrame`), so the framer is never fed. */
const WEBSOCKET: StreamCodec = {
  format: 'websocket',
  framer: createSseFramer,
  *wire(stream) {
    for (const ev of stream.events) yield dataText(ev.data);
    if (stream.tail) yield stream.tail;
  },
};

const CODECS = new Map<string, StreamCodec>(
  [SSE, JSON_ARRAY_CODEC, WEBSOCKET, ...PROVIDERS.flatMap((m) => m.streamCodecs ?? [])].map(
    (codec) => [codec.format, codec],
  ),
);

/** The codec of a stored or detected format; SSE for a format no codec knows (read as text). */
export function streamCodec(format: StreamFormat | null | undefined): StreamCodec {
  return (format ? CODECS.get(format) : undefined) ?? SSE;
}

/**
 * How a response streams, if it does: a WebSocket upgrade, an SSE content type on any route, or
 * the route's own format when its codec recognises the response.
 */
export function responseStreamFormat(
  route: RouteInfo,
  status: number,
  contentType: string,
): StreamFormat | null {
  if (status === 101 || route.streamFormat === 'websocket') return 'websocket';
  if (SSE.matches?.(contentType, route, status)) return 'sse';
  const own = route.streamFormat ? CODECS.get(route.streamFormat) : undefined;
  return own?.matches?.(contentType, route, status) ? own.format : null;
}
