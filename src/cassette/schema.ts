/**
 * The `.rpk` v1 file format: one zod schema is the single source of truth, every type in the
 * project that touches a cassette is inferred from it (docs/FORMAT.md describes it in prose).
 *
 * A cassette is JSON Lines. Line 1 is a `run.header`; then one line per step; streamed responses
 * are written event by event as `stream.open` / `stream.event` lines before their closing
 * `model.response`, so a crash mid-stream still leaves every received event on disk. The reader
 * folds those lines back into the `model.response` step (`stream.events`), so everything above
 * the cassette layer only ever sees whole steps. An optional `run.seal` ends the file.
 */
import { z } from 'zod';

export const FORMAT_VERSION = 1;

export const CaptureKind = z.enum(['sdk', 'passive', 'transparent', 'ingest']);
export const ResponseSource = z.enum(['live', 'synthetic', 'replay']);
/** `mcp`: JSON-RPC traffic of an MCP server, captured by `replaypack mcp wrap` or the listener. */
export const Provider = z.enum([
  'openai',
  'anthropic',
  'gemini',
  'mcp',
  'azure',
  'bedrock',
  'vertex',
  'ollama',
  'openai-compatible',
  'unknown',
]);

export const StreamState = z.enum(['completed', 'interrupted', 'error']);
/** `ndjson`: one JSON object per line (Ollama); `eventstream`: AWS binary event stream (Bedrock). */
export const StreamFormat = z.enum(['sse', 'websocket', 'json-array', 'ndjson', 'eventstream']);
/**
 * How the connection of an `interrupted` stream ended: `clean` when the server closed it properly
 * before any terminal event (replayed as a clean end), absent for a reset (replayed as one).
 */
export const StreamEnding = z.enum(['clean']);
export const Transport = z.enum(['http', 'websocket']);

export type CaptureKind = z.infer<typeof CaptureKind>;
export type ResponseSource = z.infer<typeof ResponseSource>;
export type Provider = z.infer<typeof Provider>;
export type StreamState = z.infer<typeof StreamState>;
export type StreamFormat = z.infer<typeof StreamFormat>;
export type StreamEnding = z.infer<typeof StreamEnding>;

const Json: z.ZodType<unknown> = z.unknown();
const Headers = z.record(z.string(), z.string());

export const RunHeader = z.object({
  type: z.literal('run.header'),
  /** `major.minor` is not needed yet: a bump of this integer means readers must refuse the file. */
  version: z.number().int().positive(),
  run_id: z.string().min(1),
  capture: CaptureKind,
  response_source: ResponseSource,
  tool: z.object({ name: z.string(), version: z.string() }),
  redaction: z.object({
    policy: z.enum(['default', 'full', 'off']),
    pii: z.boolean().optional(),
    warning: z.string().optional(),
  }),
  created_at: z.string().optional(),
  meta: z.record(z.string(), Json).optional(),
});
export type RunHeader = z.infer<typeof RunHeader>;

/** Fields every step carries. `offset_ms` is kept for pacing and debugging, never hashed. */
const StepBase = {
  index: z.number().int().nonnegative(),
  correlation_id: z.string().min(1),
  request_id: z.string().nullable().optional(),
  provider: Provider,
  /** `openai-compatible` only: which server (`groq`, `vllm`...), by its configured base URL. */
  provider_name: z.string().optional(),
  endpoint: z.string(),
  offset_ms: z.number().nonnegative(),
  /** Set on every step that a listener in synthetic mode made up rather than received. */
  response_source: ResponseSource.optional(),
};

/** One part of a multipart body: its header lines as sent, its bytes as text or base64. */
export const MultipartPart = z.object({
  headers: z.array(z.string()),
  body_text: z.string().optional(),
  body_base64: z.string().optional(),
});
export type MultipartPart = z.infer<typeof MultipartPart>;

/** A `multipart/*` body split into its parts; the parts and the boundary rebuild it exactly. */
export const MultipartBody = z.object({
  boundary: z.string().min(1),
  parts: z.array(MultipartPart),
});
export type MultipartBody = z.infer<typeof MultipartBody>;

/**
 * A body is stored readable: parsed JSON where it parses, text otherwise, a multipart body part
 * by part, base64 only for binary payloads. Exactly one is present (or none, for an empty body).
 */
const BodyFields = {
  body: Json.optional(),
  body_text: z.string().optional(),
  body_base64: z.string().optional(),
  body_multipart: MultipartBody.optional(),
};

export const ModelRequest = z.object({
  type: z.literal('model.request'),
  ...StepBase,
  method: z.string(),
  /** Path and query as the client sent them (origin kept apart: it differs between runs). */
  url: z.string(),
  /**
   * `scheme://host:port` the request went to, when the front door knows it (in-process capture).
   * Never compared nor hashed; replay refuses network access to every origin a cassette names.
   */
  origin: z.string().optional(),
  transport: Transport.default('http'),
  stream: z.boolean(),
  model: z.string().nullable().optional(),
  headers: Headers,
  ...BodyFields,
});
export type ModelRequest = z.infer<typeof ModelRequest>;

export const StreamEvent = z.object({
  offset_ms: z.number().nonnegative(),
  /** SSE `event:` name; absent for data-only frames, WebSocket frames and JSON-array elements. */
  event: z.string().optional(),
  /** SSE `id:` field when the provider sent one. */
  id: z.string().optional(),
  /** Parsed JSON where the frame parses (the common case), else the raw text (e.g. `[DONE]`). */
  data: Json,
  /**
   * SSE, NDJSON and AWS event streams (base64 of the message there): the frame's exact bytes,
   * kept only when writing the event back would not give them. SSE: the frame's exact text (its lines, comments before it, the blank line ending it),
   * kept only when re-encoding `event`/`id`/`data` with the stream's `eol` would give other bytes
   * (`\u2014`-style escapes, `id:` before `event:`, comments, `data:` without a space). Replay
   * sends it as it is (issue 14 item 2).
   */
  raw: z.string().optional(),
});
export type StreamEvent = z.infer<typeof StreamEvent>;

export const ToolCall = z.object({
  id: z.string().nullable(),
  name: z.string(),
  /** Complete arguments: parsed JSON when they parse, else the raw string (custom tools). */
  arguments: Json,
  kind: z.string(),
});
export type ToolCall = z.infer<typeof ToolCall>;

export const Assembled = z.object({
  text: z.string(),
  reasoning: z.string().optional(),
  tool_calls: z.array(ToolCall),
  usage: z.record(z.string(), Json).nullable().optional(),
  stop_reason: z.string().nullable().optional(),
  response_id: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
});
export type Assembled = z.infer<typeof Assembled>;

export const Diagnostic = z.object({
  message: z.string(),
  frame: z.number().int().nonnegative().optional(),
  byte_offset: z.number().int().nonnegative().optional(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

export const ModelResponse = z.object({
  type: z.literal('model.response'),
  ...StepBase,
  status: z.number().int(),
  headers: Headers,
  ...BodyFields,
  /**
   * How a JSON `body` was laid out, when not as `JSON.stringify(body)` (issue 14 item 2): indented
   * by `body_indent` spaces (with a final newline when `body_newline`), or, when no layout gives
   * the bytes back (`\u` escapes, another spacing), its exact text `body_raw`. Replay sends these.
   */
  body_indent: z.number().int().positive().optional(),
  body_newline: z.literal(true).optional(),
  body_raw: z.string().optional(),
  stream: z
    .object({
      format: StreamFormat,
      state: StreamState,
      ending: StreamEnding.optional(),
      /** SSE line ending when not `\n` (Gemini sends CRLF): what replay frames events with. */
      eol: z.enum(['\r\n', '\r']).optional(),
      /** SSE text after the last event (a closing comment): replay sends it last. */
      tail: z.string().optional(),
      events: z.array(StreamEvent),
    })
    .optional(),
  assembled: Assembled.optional(),
  diagnostics: z.array(Diagnostic).optional(),
});
export type ModelResponse = z.infer<typeof ModelResponse>;

/**
 * Where an MCP message sat on the wire (steps with `provider: "mcp"`): the server's name as the
 * agent's config calls it, the JSON-RPC method (null on a response to an unknown request), the
 * JSON-RPC id (null on a notification), and who sent it. Replay rebuilds the message from it.
 */
export const McpMessage = z.object({
  server: z.string(),
  method: z.string().nullable(),
  id: z.union([z.string(), z.number()]).nullable(),
  from: z.enum(['client', 'server']),
  /** A JSON-RPC `error` response (not a tool result with `isError`). */
  error: z.literal(true).optional(),
});
export type McpMessage = z.infer<typeof McpMessage>;

export const ToolRequest = z.object({
  type: z.literal('tool.request'),
  ...StepBase,
  call_id: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  arguments: Json,
  mcp: McpMessage.optional(),
});
export type ToolRequest = z.infer<typeof ToolRequest>;

export const ToolResponse = z.object({
  type: z.literal('tool.response'),
  ...StepBase,
  call_id: z.string().nullable(),
  name: z.string().nullable().optional(),
  kind: z.string(),
  output: Json,
  is_error: z.boolean().optional(),
  mcp: McpMessage.optional(),
});
export type ToolResponse = z.infer<typeof ToolResponse>;

export const ErrorEvent = z.object({
  type: z.literal('error.event'),
  ...StepBase,
  /** Where the fault happened: the upstream, our capture path, an input parser, or the policy. */
  source: z.enum(['upstream', 'capture', 'parse', 'policy', 'agent', 'client']),
  code: z.string(),
  message: z.string(),
  line: z.number().int().positive().optional(),
  detail: Json.optional(),
});
export type ErrorEvent = z.infer<typeof ErrorEvent>;

export const AgentEvent = z.object({
  type: z.literal('agent.event'),
  ...StepBase,
  agent: z.string(),
  session_id: z.string().nullable().optional(),
  event: Json,
  mcp: McpMessage.optional(),
});
export type AgentEvent = z.infer<typeof AgentEvent>;

export const Step = z.discriminatedUnion('type', [
  ModelRequest,
  ModelResponse,
  ToolRequest,
  ToolResponse,
  ErrorEvent,
  AgentEvent,
]);
export type Step = z.infer<typeof Step>;
export type StepType = Step['type'];
export const STEP_TYPES = [
  'model.request',
  'model.response',
  'tool.request',
  'tool.response',
  'error.event',
  'agent.event',
] as const satisfies readonly StepType[];

/** On-disk only: the head of a streamed response, written when its status line arrives. */
export const StreamOpenLine = z.object({
  type: z.literal('stream.open'),
  ...StepBase,
  status: z.number().int(),
  headers: Headers,
  format: StreamFormat,
});
export type StreamOpenLine = z.infer<typeof StreamOpenLine>;

/** On-disk only: one provider event of an open stream, appended as it arrives. */
export const StreamEventLine = z.object({
  type: z.literal('stream.event'),
  correlation_id: z.string().min(1),
  seq: z.number().int().nonnegative(),
  ...StreamEvent.shape,
});
export type StreamEventLine = z.infer<typeof StreamEventLine>;

const HEX64 = /^[0-9a-f]{64}$/;

export const RunSeal = z.object({
  type: z.literal('run.seal'),
  steps: z.number().int().nonnegative(),
  /**
   * Canonical hash with the writer's provider rules. Absent in a content-only seal (the listener
   * keeps canonical hashing off its hot path; readers compute the canonical hash themselves).
   */
  sha256: z.string().regex(HEX64).optional(),
  /**
   * Canonical hash with the base normalisation only (no provider rules). Provider rules change
   * between replaykit versions; this one does not, so it tells "edited after sealing" apart from
   * "sealed by another version". Optional: absent in hand-made files.
   */
  integrity: z.string().regex(HEX64).optional(),
  /**
   * sha256 of every line before the seal, each as written and ended by "\n" (a "\r" before the
   * "\n" is not part of a line, so a CRLF checkout still matches). Checking it costs one pass of
   * sha256, not a canonical form per step: replay's fast path (see reader.ts `verify`).
   */
  content_sha256: z.string().regex(HEX64).optional(),
  sealed_at: z.string().optional(),
});
export type RunSeal = z.infer<typeof RunSeal>;

/** Any line after the header. */
export const BodyLine = z.discriminatedUnion('type', [
  ModelRequest,
  ModelResponse,
  ToolRequest,
  ToolResponse,
  ErrorEvent,
  AgentEvent,
  StreamOpenLine,
  StreamEventLine,
  RunSeal,
]);
export type BodyLine = z.infer<typeof BodyLine>;

/** A step as the writer accepts it: the writer assigns `index`. */
export type StepInput = Step extends infer S ? (S extends Step ? Omit<S, 'index'> : never) : never;
