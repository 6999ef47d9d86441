/** Turns a scripted Reply into a plan: rendered events or body, faults applied, or raw bytes. */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { renderError, renderNotFound } from './errors.ts';
import type { RenderContext, Rendered, StreamEvent } from './rendered.ts';
import type { Route } from './routes.ts';
import { DEFAULT_TEXT, type Reply, type ReplyOptions } from './types.ts';

export type Plan =
  | { type: 'hang' }
  | { type: 'raw'; status: number; headers: Record<string, string>; chunks: Uint8Array[] }
  /** `cutAfter`: destroy the connection after that many events (streams) or mid-body (JSON). */
  | { type: 'rendered'; rendered: Rendered; cutAfter?: number };

const encoder = new TextEncoder();

/** An invalid JSON frame, put in the middle of a stream so a parser meets it mid-flight. */
const BROKEN = '{"type": "broken", "oops": ';

export function planReply(
  reply: Reply,
  route: Route | undefined,
  ctx: RenderContext,
): { plan: Plan; options: ReplyOptions } {
  return { plan: toPlan(reply, route, ctx), options: reply };
}

function toPlan(reply: Reply, route: Route | undefined, ctx: RenderContext): Plan {
  if (reply.kind === 'hang') return { type: 'hang' };
  if (reply.kind === 'raw') {
    const chunks = reply.chunks.map((c) => (typeof c === 'string' ? encoder.encode(c) : c));
    return { type: 'raw', status: reply.status, headers: reply.headers ?? {}, chunks };
  }
  if (reply.kind === 'reject-upgrade') {
    return { type: 'raw', status: reply.status ?? 426, headers: {}, chunks: [] };
  }
  if (route === undefined) {
    return { type: 'rendered', rendered: renderNotFound(ctx.req.method, ctx.req.url) };
  }
  if (reply.kind === 'error') {
    return { type: 'rendered', rendered: renderError(route.provider, reply, ctx) };
  }
  if (reply.kind === 'text' || reply.kind === 'tool' || reply.kind === 'stream-error') {
    return { type: 'rendered', rendered: route.render(reply, ctx) };
  }
  const rendered = route.render({ kind: 'text', text: DEFAULT_TEXT }, ctx);
  if (reply.kind === 'disconnect')
    return { type: 'rendered', rendered, cutAfter: reply.afterEvents };
  // malformed
  if (rendered.type === 'body') {
    return {
      type: 'rendered',
      rendered: { ...rendered, body: rendered.body.slice(0, Math.ceil(rendered.body.length / 2)) },
    };
  }
  const events = [...rendered.events];
  const middle = Math.floor(events.length / 2);
  const bad: StreamEvent = { event: events[middle]?.event, data: BROKEN };
  if (bad.event === undefined) delete bad.event;
  events.splice(middle, 0, bad);
  return { type: 'rendered', rendered: { ...rendered, events } };
}

const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);

/**
 * One AWS event-stream message: `event` names its `:event-type`, or `exception:<type>` for an
 * exception message, as Bedrock sends them.
 */
function eventstreamMessage(e: StreamEvent): Uint8Array {
  const [kind, type] = e.event?.startsWith('exception:')
    ? ['exception', e.event.slice('exception:'.length)]
    : ['event', e.event ?? 'chunk'];
  const typeHeader = kind === 'exception' ? ':exception-type' : ':event-type';
  return codec.encode({
    headers: {
      [typeHeader]: { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: kind },
    },
    body: encoder.encode(e.data),
  });
}

/** HTTP bytes of each event, in the route's wire format. */
export function encodeEvents(rendered: Extract<Rendered, { type: 'stream' }>): Uint8Array[] {
  const { events, format } = rendered;
  if (format === 'eventstream') return events.map(eventstreamMessage);
  if (format === 'ndjson') return events.map((e) => encoder.encode(`${e.data}\n`));
  if (format === 'json-array') {
    // Gemini's non-SSE stream: one JSON array, elements separated by ",\r\n", flushed per element.
    if (events.length === 0) return [encoder.encode('[]')];
    return events.map((e, i) => {
      const last = i === events.length - 1;
      return encoder.encode(`${i === 0 ? '[' : '\n,\r\n'}${e.data}${last ? ']' : ''}`);
    });
  }
  return events.map((e) =>
    encoder.encode(`${e.event === undefined ? '' : `event: ${e.event}\n`}data: ${e.data}\n\n`),
  );
}

/** Re-splits writes: `'byte'` gives one byte per write, N gives N-byte writes across boundaries. */
export function applyChunking(
  units: Uint8Array[],
  chunking: 'byte' | number | undefined,
): Uint8Array[] {
  if (chunking === undefined) return units;
  const size = chunking === 'byte' ? 1 : Math.max(1, Math.floor(chunking));
  const all = Buffer.concat(units);
  const out: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += size) out.push(new Uint8Array(all.subarray(i, i + size)));
  return out;
}
