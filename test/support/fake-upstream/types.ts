/** Public types of the fake upstream: what it records and the replies a test can script. */

export type Transport = 'http' | 'websocket';
export type Provider = 'openai' | 'anthropic' | 'gemini' | 'bedrock' | 'ollama';

export interface ReceivedRequest {
  method: string;
  /** Path plus query, exactly as received (`/v1/messages?beta=true`). */
  url: string;
  /** Lower-case header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  bodyText: string;
  /** The body's bytes as received (after content-encoding), for binary uploads. */
  bodyBytes: Buffer;
  /** A `multipart/form-data` body's fields: text, or a file's name, type and bytes. */
  form?: Record<string, FormValue>;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: unknown;
  transport: Transport;
  /** Which route answered, when one matched (`undefined` for unknown routes). */
  provider?: Provider;
  endpoint?: string;
  /** WebSocket only: the upgrade request itself, or one client text frame. */
  websocket?: 'upgrade' | 'frame';
  /** WebSocket only: a `response.create` with empty `input` (answered without consuming replies). */
  prewarm?: boolean;
}

export type FormValue = string | { filename: string; type: string; bytes: Buffer };

/** Options every reply accepts. */
export interface ReplyOptions {
  /** Milliseconds to wait between writes (stream events, chunks or WebSocket frames). */
  delayMs?: number;
  /** Re-split the bytes of the response: `'byte'` writes one byte at a time, a number N bytes. */
  chunking?: 'byte' | number;
  /** Extra response headers (override the defaults). */
  headers?: Record<string, string>;
}

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown> | string;
  callId?: string;
  /** OpenAI Responses: `custom` gives a `custom_tool_call` with free-form `input`. */
  type?: 'function' | 'custom';
}

export interface TextReply extends ReplyOptions {
  kind: 'text';
  text: string;
  model?: string;
  /** Reasoning sent before the text: a Responses `reasoning` summary, an Anthropic `thinking`
   * block (with a `signature_delta`), Gemini `thought: true` parts. Chat Completions ignores it. */
  reasoning?: string;
}
export interface ToolReply extends ReplyOptions {
  kind: 'tool';
  calls: ToolCall[];
  /** Text sent before the tool calls. */
  text?: string;
  model?: string;
  reasoning?: string;
}
export interface ErrorReply extends ReplyOptions {
  kind: 'error';
  status: number;
  message?: string;
  /** Provider error type; defaults from the status (`rate_limit_error`, `RESOURCE_EXHAUSTED`...). */
  type?: string;
}
export interface DisconnectReply extends ReplyOptions {
  kind: 'disconnect';
  /** Events (or, for JSON bodies, 0 = headers only, otherwise half the body) sent before the cut. */
  afterEvents: number;
}
export interface HangReply extends ReplyOptions {
  kind: 'hang';
}
export interface MalformedReply extends ReplyOptions {
  kind: 'malformed';
}
export interface StreamErrorReply extends ReplyOptions {
  kind: 'stream-error';
  message?: string;
}
export interface RawReply extends ReplyOptions {
  kind: 'raw';
  status: number;
  headers?: Record<string, string>;
  chunks: (string | Uint8Array)[];
}
export interface RejectUpgradeReply extends ReplyOptions {
  kind: 'reject-upgrade';
  status?: number;
}

export type Reply =
  | TextReply
  | ToolReply
  | ErrorReply
  | DisconnectReply
  | HangReply
  | MalformedReply
  | StreamErrorReply
  | RawReply
  | RejectUpgradeReply;

export type ReplyHandler = (req: ReceivedRequest) => Reply | undefined;

/** The exact bytes written for one request (HTTP body chunks or WebSocket frame payloads). */
export interface SentResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  chunks: Uint8Array[];
  transport: Transport;
}

export interface FakeUpstreamOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Address to bind; default 127.0.0.1 (transparent mode's namespace test binds another). */
  host?: string;
  /** Accept WebSocket upgrades on `/v1/responses` and `/responses` (default true). */
  websocket?: boolean;
  /** Serve HTTPS with this key and certificate (PEM); `url` then starts with `https://`. */
  tls?: { key: string; cert: string };
}

export interface FakeUpstream {
  /** `http://127.0.0.1:PORT` (`https://` with `tls`), no path. */
  readonly url: string;
  readonly port: number;
  readonly received: ReceivedRequest[];
  readonly sent: SentResponse[];
  reply(handler: ReplyHandler): void;
  enqueue(...replies: Reply[]): void;
  /** Clears received, sent, the queue, the handler and the id counters. */
  reset(): void;
  /** Resolves once `count` requests (HTTP requests, upgrades and frames) have been received. */
  waitForRequests(count: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export const DEFAULT_TEXT = 'Hello from the fake upstream.';
