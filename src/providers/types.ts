/**
 * Types of the provider layer that are not the module interface itself (module.ts). capture/,
 * listener/ and replay/ only ever call the functions exported from providers/index.ts, which go
 * through the registry (registry.ts) to the route's provider module.
 */
import type {
  Assembled,
  Diagnostic,
  ModelRequest,
  Step,
  StepInput,
  StreamEvent,
  StreamFormat,
  StreamState,
} from '../cassette/schema.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import type { DecodedBody } from './body.ts';
import type { RouteInfo } from './module.ts';

/** Where a step sits in the run: assigned by the front door. */
export interface StepContext {
  correlation_id: string;
  offset_ms: number;
}

/** Incremental stream parsing and assembly, fed as bytes (SSE, JSON array) or WebSocket frames. */
export interface StreamCapture {
  /** Raw bytes at any split (inside a frame, inside a UTF-8 character); returns completed events. */
  push(chunk: Uint8Array, offset_ms: number): StreamEvent[];
  /** One server WebSocket text frame. */
  pushFrame(text: string, offset_ms: number): StreamEvent[];
  /** The provider has signalled the end of this response (response.completed, message_stop, [DONE]). */
  readonly done: boolean;
  /**
   * End of input, clean or aborted. Never throws: faults become diagnostics. Idempotent.
   * `events` is every event of the stream in order, including any that only completed here (an
   * unterminated last frame): a caller that wrote events from push() appends `events.slice(n)`.
   */
  finish(options?: { aborted?: boolean }): {
    events: StreamEvent[];
    /** SSE framing facts for exact replay (issue 14 item 2): line ending when not LF, trailing text. */
    framing?: { eol?: '\r\n' | '\r'; tail?: string };
    state: StreamState;
    assembled: Assembled;
    diagnostics: Diagnostic[];
  };
}

export interface ResponseInput {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body (or raw text) for non-streamed responses. */
  body?: unknown;
  /** An opaque exchange's body exactly as stored (text, JSON, multipart parts or base64). */
  decoded?: DecodedBody;
  stream?: { format: StreamFormat; state: StreamState; events: StreamEvent[] };
  assembled?: Assembled;
  diagnostics?: Diagnostic[];
}

export type { ModelRequest, RawRequest, RouteInfo, Step, StepInput };
