/**
 * The capture hook: what the gateway tells whoever records its traffic. The gateway calls these
 * synchronously as bytes move and never awaits them, so recording can never slow or block the
 * routed app; `guardRecorder` turns a throwing hook into a "degraded" flag instead of a broken
 * response (issue 5, failure isolation).
 */
import type { IngestSummary } from '../agents/ingest.ts';
import type { AgentName } from '../agents/types.ts';
import type { Transport } from '../pipeline/exchange.ts';
import type { McpIngestSummary } from './mcp-route.ts';
import type { GatewayRoute } from './routes.ts';

export interface ExchangeStart {
  correlation_id: string;
  /** Milliseconds since the listener started. */
  offset_ms: number;
  transport: Transport;
  /** null for a route the gateway could not place (it answers those itself). */
  route: GatewayRoute | null;
  method: string;
  /** Path and query as the client sent them. */
  url: string;
  /** Lower-cased, repeats joined with ", "; our own x-replaykit-* headers removed. */
  headers: Record<string, string>;
}

export type ExchangeErrorSource = 'upstream' | 'client' | 'listener' | 'policy';

export interface ExchangeError {
  source: ExchangeErrorSource;
  code: string;
  message: string;
  /** Structured context for the `error.event` (e.g. a divergence report's fields). */
  detail?: unknown;
}

/** Per-exchange callbacks, all optional; `offset_ms` counts from the exchange's start. */
export interface ExchangeRecorder {
  /** The whole request body, once the client has sent it (it is forwarded as it arrives). */
  requestBody?(body: Uint8Array, offset_ms: number): void;
  responseHead?(status: number, headers: Record<string, string>, offset_ms: number): void;
  /** Raw response bytes exactly as forwarded (still content-encoded, if the upstream encoded them). */
  responseChunk?(data: Uint8Array, offset_ms: number): void;
  responseEnd?(offset_ms: number): void;
  /** The exchange failed; for a stream this may follow a partial response. */
  error?(error: ExchangeError, offset_ms: number): void;
  /** WebSocket: one client message (e.g. a `response.create`). */
  clientFrame?(data: Uint8Array, isBinary: boolean, offset_ms: number): void;
  /** WebSocket: one server message (one Responses stream event). */
  serverFrame?(data: Uint8Array, isBinary: boolean, offset_ms: number): void;
  /** WebSocket: the connection ended. */
  closed?(code: number, reason: string, offset_ms: number): void;
  /** An `error.event` that does not end the exchange (a policy decision, a malformed body). */
  note?(error: ExchangeError, offset_ms: number): void;
  /** The response about to be written was not received from the provider. */
  source?(source: 'synthetic' | 'replay'): void;
}

export interface CaptureSink {
  open(start: ExchangeStart): ExchangeRecorder | undefined;
  /** The artifact being written now (it changes when the capture rotates). */
  current?(): string | null;
  /** For faults the sink finds on its own, after a hook returned (async decoding, disk). */
  subscribeFaults?(handler: CaptureFaultHandler): void;
  /**
   * A hook threw (an adapter bug, a value that would not serialise): write it down as an
   * `error.event` (source `capture`) and report it through the subscribed handler.
   */
  recordFault?(error: unknown, hook: string): void;
  /**
   * An agent's own event stream (`POST /__replaykit/ingest/<agent>`): written as steps into this
   * capture, correlated with its model exchanges of the same session (src/agents).
   */
  ingest?(agent: AgentName, lines: AsyncIterable<string>): Promise<IngestSummary>;
  /**
   * An MCP server's messages from `replaypack mcp wrap` (`POST /__replaykit/mcp/<server>`):
   * written as MCP steps, correlated with the model's tool calls (src/mcp).
   */
  mcp?(server: string, session: string, lines: AsyncIterable<string>): Promise<McpIngestSummary>;
  /**
   * Writes out what is still queued for the disk (batched writes): the gateway calls it before a
   * client sees the first bytes of a response, whose start must then be on disk.
   */
  persist?(): void;
  /** Flush and seal everything; resolves to the artifact paths written. */
  close(): Promise<string[]>;
}

/** The sink used until capture-to-cassette is wired: traffic flows, nothing is written. */
export const NO_CAPTURE: CaptureSink = {
  open: () => undefined,
  close: async () => [],
};

export type CaptureFaultHandler = (error: unknown, hook: string) => void;

/**
 * Wraps a recorder so that a throwing hook is reported once and the recorder is then dropped for
 * the rest of the exchange: a half-recorded exchange is already marked by the fault.
 */
export function guardRecorder(
  open: () => ExchangeRecorder | undefined,
  onFault: CaptureFaultHandler,
): Required<ExchangeRecorder> {
  let recorder: ExchangeRecorder | undefined;
  try {
    recorder = open();
  } catch (error) {
    onFault(error, 'open');
  }
  const call =
    <K extends keyof ExchangeRecorder>(name: K) =>
    (...args: Parameters<Required<ExchangeRecorder>[K]>) => {
      const fn = recorder?.[name] as ((...a: unknown[]) => void) | undefined;
      if (!fn) return;
      try {
        fn.apply(recorder, args);
      } catch (error) {
        recorder = undefined;
        onFault(error, name);
      }
    };
  return {
    requestBody: call('requestBody'),
    responseHead: call('responseHead'),
    responseChunk: call('responseChunk'),
    responseEnd: call('responseEnd'),
    error: call('error'),
    clientFrame: call('clientFrame'),
    serverFrame: call('serverFrame'),
    closed: call('closed'),
    note: call('note'),
    source: call('source'),
  };
}
