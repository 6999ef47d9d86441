/**
 * The one shape every front door produces: the in-process interceptor, the listener's gateway and
 * (for WebSocket turns) its frame proxy all describe traffic as an `Exchange`, so nothing
 * downstream knows which door it came through.
 */
export type Transport = 'http' | 'websocket';

export interface RawRequest {
  method: string;
  /** Path and query (`/v1/responses?x=1`); the origin is kept apart because it differs per run. */
  url: string;
  origin?: string;
  /** Lower-cased names; repeated headers joined with ", " as fetch does. */
  headers: Record<string, string>;
  /** Raw bytes as sent; for a WebSocket turn, the client frame's text. */
  body: Uint8Array | null;
  transport: Transport;
}

export interface RawChunk {
  /** Milliseconds since the exchange started. */
  offset_ms: number;
  data: Uint8Array;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Whole body for non-streamed responses. */
  body?: Uint8Array;
}

export interface Exchange {
  correlation_id: string;
  /** Milliseconds since the run started, when the request was seen. */
  offset_ms: number;
  request: RawRequest;
  response?: RawResponse;
}
