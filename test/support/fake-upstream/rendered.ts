/** What a route renders a reply into, before any bytes are written (shared by HTTP and WebSocket). */
import type { Ids } from './ids.ts';
import type { ReceivedRequest } from './types.ts';

/** One stream event: `data` is already serialised (so a malformed frame can be any text). */
export interface StreamEvent {
  event?: string;
  data: string;
}

export type StreamFormat = 'sse' | 'json-array' | 'ndjson' | 'eventstream';

export type Rendered =
  | { type: 'body'; status: number; headers: Record<string, string>; body: string | Uint8Array }
  | {
      type: 'stream';
      status: number;
      headers: Record<string, string>;
      format: StreamFormat;
      events: StreamEvent[];
    };

export interface RenderContext {
  req: ReceivedRequest;
  ids: Ids;
  /** `req_fake_0001`...: sent as `x-request-id` (OpenAI) or `request-id` (Anthropic). */
  requestId: string;
  /** The request asked for a stream (`stream: true`, `:streamGenerateContent`, a WebSocket frame). */
  stream: boolean;
  format: StreamFormat;
  /** Model from the reply, else the request (body or Gemini path), else a provider default. */
  model: string;
  /** Unix seconds, fixed per server so bodies are reproducible. */
  created: number;
}

export function sseEvent(event: string | undefined, data: unknown): StreamEvent {
  return event === undefined
    ? { data: JSON.stringify(data) }
    : { event, data: JSON.stringify(data) };
}

export function jsonBody(status: number, headers: Record<string, string>, body: unknown): Rendered {
  return {
    type: 'body',
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
