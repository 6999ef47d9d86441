/**
 * `ProviderModule`: everything ReplayKit knows about one provider, in one folder
 * (`src/providers/<name>/index.ts`) behind this one interface (issue 16 item 1). Before it, that
 * knowledge was spread over ten files that each switched on the provider, and a new provider
 * meant editing all of them (and the listener's hand-kept copy of the route table).
 *
 * Adding a provider: a new folder whose `index.ts` default-exports a `ProviderModule`, and one
 * line in registry.ts. Nothing outside the folder names the provider. What the rest of the code
 * asks of a module is only what is below; the generic machinery (body decoding, SSE and JSON-array
 * framing, normalisation, redaction, matching, serving) lives outside the folders and calls in.
 *
 * Agent normalisers (Codex, Claude Code: providers/agents.ts, src/agents/) are a separate layer on
 * top: an agent speaks a provider's API, it is not a provider.
 */
import type {
  Assembled,
  Diagnostic,
  ModelResponse,
  Provider,
  StreamEvent,
  StreamFormat,
  StreamState,
} from '../cassette/schema.ts';
import type { Assembler } from './assembler.ts';
import type { FrameFault, RawFrame } from './sse.ts';
import type { ToolResult } from './tools.ts';
import type { Turn } from './turns.ts';

/**
 * A provider's name as steps store it (`provider`), `--upstream NAME=` takes it, and the registry
 * keys it. The cassette format lists the names a reader accepts (`Provider` in
 * cassette/schema.ts): a reader must refuse a cassette naming a provider it cannot replay, so a
 * new module's name goes there too (the registry refuses to load a module whose name is missing).
 */
/** `mcp` names MCP traffic (src/mcp), which no provider module handles. */
export type ProviderName = Exclude<Provider, 'unknown' | 'mcp'>;

/** A request as route detection sees it: before (`body: null`) or after its body is decoded. */
export interface RouteRequest {
  method: string;
  /** Path and query, or a whole URL. */
  url: string;
  /** Lower-cased names (callers that did not lower-case them still work: see `headerOf`). */
  headers: Record<string, string>;
  /**
   * The decoded JSON body when the front door has it; `null`/absent when the route must be known
   * before the body is read (a front door decides whether to buffer a body by its route).
   */
  body?: unknown;
  /** `scheme://host:port` the request went to, when known (a module may claim a configured origin). */
  origin?: string;
}

/** The URL split once by the registry, handed to every module's `detect`. */
export interface UrlParts {
  /** The path, trailing slashes dropped (`/` stays). */
  path: string;
  /** Query parameters in order, repeats kept (as URLSearchParams lists them). */
  query: readonly (readonly [string, string])[];
}

export interface RouteInfo {
  provider: ProviderName;
  /**
   * Stable endpoint name, the same whatever base-path prefix the client used: `responses`,
   * `chat.completions`, `messages`, `generateContent`... It keys matching and the step's
   * `endpoint`, so renaming one breaks every cassette that holds it.
   */
  endpoint: string;
  model: string | null;
  /** The client asked for a streamed response. */
  stream: boolean;
  /** `openai-compatible` only: the server's name (`groq`, `vllm`...), kept in the steps. */
  providerName?: string;
  /** How the response will stream, when it does (a format of ./stream-formats.ts). */
  streamFormat: StreamFormat | null;
}

/** Errors ReplayKit itself answers with (listener gateway, replayer), in the provider's own shape. */
/** The statuses chaos replay can answer with: rate limit, server error, overloaded. */
export type ErrorStatus = 429 | 500 | 503;

export interface StatusErrorAnswer {
  body: unknown;
  /** Besides `content-type` and `retry-after`, which every answer gets. */
  headers: [string, string][];
}

export interface ProviderErrorInfo {
  status: number;
  /** OpenAI `type` / Anthropic `error.type`. */
  type: string;
  /** Stable code, also used as OpenAI `code` and Gemini `details[].reason`. */
  code: string;
  /** Already formatted (`[replaykit]` prefix added): the module only places it. */
  message: string;
}

/** What a synthetic answer is made from; the same request always gets the same values. */
export interface SyntheticInput {
  route: RouteInfo;
  /** The request's decoded JSON body, when it is an object. */
  body: Record<string, unknown> | undefined;
  /** 16 hex characters hashed from the request's bytes: ids derive from it, so bytes repeat. */
  id: string;
  model: string;
  /** Rough token counts (bytes / 4), so usage fields hold plausible numbers. */
  inputTokens: number;
  outputTokens: number;
}

/** Incremental framing of one wire format: bytes at any split in, complete frames out. */
export interface Framer {
  push(chunk: Uint8Array): RawFrame[];
  /** Flush what is left; an unterminated last frame is still delivered. */
  end(): RawFrame[];
  readonly faults: FrameFault[];
  /** SSE only: the stream's line ending, kept so replay gives the same bytes back. */
  readonly eol?: '\n' | '\r\n' | '\r';
  /** SSE only: text after the last frame that made no event. */
  readonly tail?: string;
}

/**
 * A stream wire format (`sse`, `json-array`, `websocket`, or one a module brings, such as a
 * binary event stream): how capture frames it and how replay writes it back. Capture and replay
 * must be inverses (property-tested for the built-in ones): decoding what `wire` produces gives
 * the same events again.
 */
export interface StreamCodec {
  /** The value stored as `stream.format`. */
  readonly format: StreamFormat;
  /** True when events carry SSE `event:`/`id:` fields and an exact `raw` text may be kept. */
  readonly sse?: boolean;
  /** Events carry a name (`event`) without being SSE (an AWS event stream's `:event-type`). */
  readonly named?: boolean;
  /**
   * The framer sets a frame's `raw` only where writing the event back would not give its exact
   * bytes, and `wire` writes `raw` when present (NDJSON, AWS event streams).
   */
  readonly exact?: boolean;
  framer(): Framer;
  /**
   * Wire chunks for a recorded stream, one per event (replay paces them by `offset_ms`) plus any
   * framing around them; for WebSocket each chunk is one text frame.
   */
  wire(stream: {
    events: readonly StreamEvent[];
    state?: StreamState;
    eol?: '\n' | '\r\n' | '\r';
    tail?: string;
  }): Iterable<string | Uint8Array>;
  /** Does a response with this content type stream in this format (for a route that streams)? */
  matches?(contentType: string, route: RouteInfo, status: number): boolean;
}

export interface ProviderModule {
  readonly name: ProviderName;

  // --- Routes -------------------------------------------------------------------------------
  /**
   * The route of a request, or null when it is not one of this provider's modelled routes. The
   * registry asks modules in its order and the first answer wins, so a module claiming a shared
   * path (`GET /v1/models`) must look at headers to tell it is its own. Called with `body: null`
   * before the body is read, so a route must be recognisable without its body; the body only
   * fills `model` and `stream`.
   */
  detect(req: RouteRequest, url: UrlParts): RouteInfo | null;
  /** Human-readable routes (`POST /v1/messages`) for the listener's unsupported-route error and docs. */
  readonly routes: readonly string[];
  /** Public API hosts: every request there is this provider's traffic, modelled or not (opaque). */
  readonly hosts: readonly string[];
  /** Whether this provider's SDK sent a request (headers it always sends), whatever the base URL. */
  sentBySdk(headers: Record<string, string>): boolean;

  // --- Listener -----------------------------------------------------------------------------
  /** The listener's default upstream base URL (`--upstream NAME=URL` overrides it). */
  readonly upstream: string;
  /** The path to request upstream for a route (a module accepting a shorter base path adds it back). */
  upstreamPath?(url: string): string;
  /**
   * For a request no module routes: does its client expect this provider's error shape? Asked in
   * registry order; the registry falls back to its default module.
   */
  expectsErrorShape?(url: string, headers: Record<string, string>): boolean;
  /**
   * `listen env`: the variables that point this provider's SDKs at a listener at `url` (no
   * trailing slash). Absent when the SDKs read none (then docs name the code-level option).
   */
  routingEnv?(url: string, name?: string): Record<string, string>;
  /**
   * `listen env --provider NAME`: the code-level option that points an SDK at the listener, for
   * SDKs that read no variable (printed as comments). `name`: an `openai-compatible` server.
   */
  codeOptions?(url: string, name?: string): string[];
  /** Printed by `listen env` without `--provider` (providers with one public host). */
  readonly envByDefault?: boolean;

  // --- Exchanges to steps -------------------------------------------------------------------
  /**
   * The provider's id for one exchange, from response headers or body (a streamed body: its
   * first event). `assembled` is the assembly when the caller has it (an id some providers only
   * send in the body).
   */
  requestId(headers: Record<string, string>, body: unknown, assembled?: Assembled): string | null;
  /**
   * Tool results the request carries back. Clients resend the whole conversation each turn, so
   * only the results after the model's last turn are new: those become `tool.response` steps.
   */
  toolResults(route: RouteInfo, body: Record<string, unknown>): ToolResult[];
  /** Assembly of a non-streamed JSON body, for routes that produce model output. */
  assembleBody(route: RouteInfo, body: unknown): Assembled | undefined;
  /** A fresh assembler for one stream; null for routes that never stream (events are still kept). */
  createAssembler(route: RouteInfo): Assembler | null;
  /** Wire formats this provider brings beyond the built-in `sse`, `json-array` and `websocket`. */
  readonly streamCodecs?: readonly StreamCodec[];

  // --- Normalisation ------------------------------------------------------------------------
  /**
   * Values that differ on every run of the same conversation. Matching and the canonical hash
   * replace them with `<volatile>`. The registry applies the UNION of every module's lists to
   * every step: the canonical hash of a cassette must not depend on which provider a step names
   * (docs/CONTRACT.md mirrors the lists).
   */
  readonly volatile: {
    /** JSON paths (`*` = any array index) in request bodies. */
    request: readonly string[];
    /** JSON paths in response bodies and stream event data. */
    response: readonly string[];
    /** Header names (lower-case) that change per run or per machine. */
    headers: readonly RegExp[];
  };

  // --- Redaction and minimisation hints -----------------------------------------------------
  readonly redaction: {
    /**
     * Headers kept by `--capture minimal` beyond the common ones (content-type, auth, retry,
     * request ids): what replay and debugging need from this provider.
     */
    keepHeaders: readonly RegExp[];
    /** Top-level request fields holding instructions or tool definitions, stored as blobs when large. */
    blobFields: readonly string[];
    /**
     * Headers that carry credentials beyond the common ones (`authorization`, `x-api-key`...):
     * always redacted, and volatile.
     */
    secretHeaders?: readonly RegExp[];
  };

  // --- Answers ReplayKit makes up -----------------------------------------------------------
  /** The provider's error body for an error ReplayKit itself answers with. */
  errorBody(info: ProviderErrorInfo): unknown;
  /**
   * The provider's own answer to an overloaded or failing API, as its servers send it (chaos
   * replay's `status`, issue 20): the body and headers its SDK reads to classify the error and
   * decide to retry (Bedrock's SDK names the error from `x-amzn-errortype`, for one).
   */
  statusError(status: ErrorStatus, requestId: string): StatusErrorAnswer;
  /** A deterministic provider-shaped answer (listener `--mode synthetic`); null when the route has none. */
  synthetic(input: SyntheticInput): ModelResponse | null;

  // --- Viewing --------------------------------------------------------------------------------
  /**
   * A request body's conversation as turns (system, user, assistant, tool) for the viewer and
   * the conversation diff (issue 19); `[]` for routes that carry none. Optional: without it the
   * viewer falls back to the renderer of a known endpoint name, then to the body as JSON.
   */
  turns?(endpoint: string, body: unknown): Turn[];
}

export type { Assembler, Diagnostic, ToolResult };
