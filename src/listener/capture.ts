/**
 * Capture-to-cassette for the listener: adapts the gateway's hooks to the shared capture pipeline
 * (providers → redaction → append-only writer), so each exchange lands on disk as it happens and
 * streams event by event. The cassette is created at start: a `kill -9` at any moment leaves a
 * readable file whose open stream the reader marks interrupted.
 */
import { randomUUID } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { ModelStepIndex } from '../agents/correlate.ts';
import type { ErrorEvent, ResponseSource } from '../cassette/schema.ts';
import { createCassetteWriter } from '../cassette/writer.ts';
import { McpCallIndex } from '../mcp/correlate.ts';
import { McpRecorder } from '../mcp/steps.ts';
import { normalizeStep } from '../pipeline/canonical.ts';
import { CapturePipeline, type ExchangeCapture } from '../pipeline/capture.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import { websocketTurns } from '../pipeline/websocket-turns.ts';
import { createRedactor, type RedactorOptions } from '../redaction/index.ts';
import { VERSION } from '../version.ts';
import { indexedSink, ingestInto } from './agent-ingest.ts';
import type {
  CaptureFaultHandler,
  CaptureSink,
  ExchangeError,
  ExchangeRecorder,
  ExchangeStart,
} from './capture-hooks.ts';
import { ingestMcp } from './mcp-route.ts';
import { createRotatingSink, type RotatingSink, type RotationOptions } from './rotation.ts';

export interface ListenerCaptureOptions {
  /** The first file; rotated files go beside it (`<name>.<part>.rpk`). */
  artifact: string;
  redact?: RedactorOptions;
  /** Run metadata for the header (mode, policy, upstreams). */
  meta?: Record<string, unknown>;
  /** The header's `response_source`: `synthetic` or `replay` for those modes. Default `live`. */
  responseSource?: ResponseSource;
  rotate?: RotationOptions;
  /** The header's `capture`: `transparent` when the TLS front door took the traffic. */
  kind?: 'passive' | 'transparent';
}

export function createListenerCapture(options: ListenerCaptureOptions): CaptureSink {
  const redactor = createRedactor(options.redact);
  const runId = randomUUID();
  let reportFault: CaptureFaultHandler = () => {};
  const sink: RotatingSink = createRotatingSink(
    (part, onWriteFault) =>
      createCassetteWriter(part === 0 ? options.artifact : partPath(options.artifact, part), {
        header: {
          run_id: runId,
          capture: options.kind ?? 'passive',
          response_source: options.responseSource ?? 'live',
          tool: { name: 'replaykit', version: VERSION },
          redaction: redactor.policy,
          meta: { ...options.meta, part },
        },
        normalize: normalizeStep,
        // The listener's hot path: canonical hashing of each step cost as much as the rest of
        // capture (bench/listener-capture.ts). Readers compute the canonical hash themselves.
        hash: 'content',
        // One write per event-loop turn, not per stream event (a fifth of capture's CPU).
        batch: true,
        onFault: onWriteFault,
      }),
    options.rotate ?? {},
    (error) => reportFault(error, 'writer'),
    // A batched write failed after its exchange moved on: the broken file is dropped, so the
    // error.event lands in the next one, as a failing write in the moment would have.
    (error) => pipeline.fault(error, 'listener writer'),
  );
  const started = performance.now();
  const clock = () => Math.round((performance.now() - started) * 1000) / 1000;
  // Agent events posted to the listener are correlated with the model steps written here.
  const index = new ModelStepIndex();
  // MCP tools/call requests are tied to the model tool call that asked for them.
  const calls = new McpCallIndex();
  const mcpRecorders = new Map<string, McpRecorder>();
  const pipeline = new CapturePipeline({
    sink: indexedSink(indexedSink(sink, calls), index),
    redactor,
    clock,
    onFault: (error) => reportFault(error, 'pipeline'),
  });
  let closed: string[] | undefined;
  return {
    open: (start) =>
      start.transport === 'websocket'
        ? websocketRecorder(pipeline, sink, start)
        : httpRecorder(pipeline, sink, start),
    current: () => sink.current(),
    persist: () => sink.persist(),
    subscribeFaults(handler) {
      reportFault = handler;
    },
    recordFault: (error, hook) => pipeline.fault(error, `listener hook ${hook}`),
    ingest: (agent, lines) =>
      ingestInto(
        {
          index,
          redactor,
          clock,
          write(step) {
            sink.append(step);
            sink.finish(step.correlation_id);
          },
        },
        agent,
        lines,
      ),
    mcp(server, session, lines) {
      // One recorder per MCP session: a streamable-HTTP session spans many exchanges, and a
      // server's request may be answered in another one.
      const key = `${server}\n${session}`;
      let recorder = mcpRecorders.get(key);
      if (!recorder) {
        recorder = new McpRecorder({ server, session, clock, link: (query) => calls.find(query) });
        mcpRecorders.set(key, recorder);
      }
      return ingestMcp(lines, recorder, (step) => {
        const written = redactor.step(step);
        sink.append(written);
        sink.finish(written.correlation_id);
        calls.add(written);
      });
    },
    async close() {
      closed ??= sink.close();
      return closed;
    },
  };
}

/** `listen-X.rpk` → `listen-X_p0002.rpk`: the parts of a run sort after its first file, in order. */
export function partPath(first: string, part: number): string {
  const name = basename(first).replace(/\.rpk$/, '');
  return join(dirname(first), `${name}_p${String(part + 1).padStart(4, '0')}.rpk`);
}

const ERROR_SOURCE: Record<ExchangeError['source'], ErrorEvent['source']> = {
  upstream: 'upstream',
  client: 'client',
  listener: 'policy',
  policy: 'policy',
};

function note(exchange: ExchangeCapture | null | undefined, error: ExchangeError) {
  exchange?.note(error.code, error.message, {
    source: ERROR_SOURCE[error.source],
    ...(error.detail === undefined ? {} : { detail: error.detail }),
  });
}

function rawRequest(start: ExchangeStart, body: Uint8Array | null): RawRequest {
  return {
    method: start.method,
    url: start.url,
    headers: start.headers,
    body,
    transport: start.transport,
  };
}

const DECODERS: Record<string, () => zlib.Zlib & NodeJS.ReadWriteStream> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

function httpRecorder(
  pipeline: CapturePipeline,
  sink: RotatingSink,
  start: ExchangeStart,
): ExchangeRecorder {
  // `undefined`: not begun yet (the request body is still arriving); `null`: not a provider route.
  let exchange: ExchangeCapture | null | undefined;
  let decoder: (zlib.Zlib & NodeJS.ReadWriteStream) | null = null;
  let headSeen = false;
  let source: ResponseSource | null = null;
  const begin = (body: Uint8Array | null) => {
    if (exchange !== undefined) return;
    exchange = pipeline.begin(rawRequest(start, body));
    if (source) exchange?.markSource(source);
  };
  const finish = () => {
    if (exchange) sink.finish(exchange.correlation_id);
  };
  return {
    requestBody: (body) => begin(body.byteLength ? body : null),
    responseHead(status, headers) {
      begin(null);
      headSeen = true;
      const encoding = headers['content-encoding']?.trim().toLowerCase();
      const make = encoding ? DECODERS[encoding] : undefined;
      let recorded = headers;
      if (make) {
        // The client gets the bytes as sent; the cassette stores them decoded, so its headers
        // must not claim an encoding (a replay would serve plain bytes labelled gzip).
        const { 'content-encoding': _e, 'content-length': _l, ...rest } = headers;
        recorded = rest;
        decoder = make();
        decoder.on('data', (chunk: Buffer) => exchange?.chunk(chunk));
        decoder.on('error', (error) => {
          pipeline.fault(error, `${start.url} (${encoding} body)`, exchange?.correlation_id);
          exchange?.end({ aborted: true });
          finish();
        });
      }
      exchange?.head(status, recorded);
    },
    responseChunk(data) {
      if (decoder) decoder.write(data);
      else exchange?.chunk(data);
    },
    responseEnd() {
      if (!decoder) {
        exchange?.end();
        return finish();
      }
      decoder.once('end', () => {
        exchange?.end();
        finish();
      });
      decoder.end();
    },
    error(error) {
      begin(null);
      if (headSeen) exchange?.end({ aborted: true });
      else
        exchange?.fail(error.code, error.message, {
          source: ERROR_SOURCE[error.source],
          ...(error.detail === undefined ? {} : { detail: error.detail }),
        });
      finish();
    },
    note: (error) => note(exchange, error),
    source(s) {
      source = s;
      exchange?.markSource(s);
    },
  };
}

/**
 * A proxied Responses WebSocket: every client message (`response.create`) starts an exchange,
 * the server messages that follow are its stream, which ends at the provider's terminal event.
 */
function websocketRecorder(
  pipeline: CapturePipeline,
  sink: RotatingSink,
  start: ExchangeStart,
): ExchangeRecorder {
  let source: ResponseSource | null = null;
  const turns = websocketTurns(
    pipeline,
    { method: start.method, url: start.url, headers: start.headers },
    (exchange) => sink.finish(exchange.correlation_id),
    (exchange) => {
      if (source) exchange.markSource(source);
    },
  );
  return {
    clientFrame: (data) => turns.clientFrame(data),
    serverFrame: (data, isBinary) => turns.serverFrame(data, isBinary),
    closed: () => turns.finish(true),
    error: () => turns.finish(true),
    note(error) {
      note(turns.current, error);
      // A turn answered with an error frame only (a replay miss) has no terminal event.
      if (error.code === 'E_REPLAY_DIVERGENCE') turns.finish(false);
    },
    source(s) {
      source = s;
      turns.current?.markSource(s);
    },
  };
}
