/**
 * Capture-to-cassette for the listener: adapts the gateway's hooks to the shared capture pipeline
 * (providers → redaction → append-only writer), so each exchange lands on disk as it happens and
 * streams event by event. The cassette is created at start: a `kill -9` at any moment leaves a
 * readable file whose open stream the reader marks interrupted.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { type CassetteWriter, createCassetteWriter } from '../cassette/writer.ts';
import { normalizeStep } from '../pipeline/canonical.ts';
import { CapturePipeline, type ExchangeCapture } from '../pipeline/capture.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import { createRedactor, type RedactorOptions } from '../redaction/index.ts';
import { VERSION } from '../version.ts';
import type {
  CaptureFaultHandler,
  CaptureSink,
  ExchangeRecorder,
  ExchangeStart,
} from './capture-hooks.ts';

export interface ListenerCaptureOptions {
  artifact: string;
  redact?: RedactorOptions;
  /** Run metadata for the header (mode, policy, upstreams). */
  meta?: Record<string, unknown>;
}

export function createListenerCapture(options: ListenerCaptureOptions): CaptureSink {
  const redactor = createRedactor(options.redact);
  const writer: CassetteWriter = createCassetteWriter(options.artifact, {
    header: {
      run_id: randomUUID(),
      capture: 'passive',
      response_source: 'live',
      tool: { name: 'replaykit', version: VERSION },
      redaction: redactor.policy,
      ...(options.meta ? { meta: options.meta } : {}),
    },
    normalize: normalizeStep,
  });
  const started = performance.now();
  let reportFault: CaptureFaultHandler = () => {};
  const pipeline = new CapturePipeline({
    sink: writer,
    redactor,
    clock: () => Math.round((performance.now() - started) * 1000) / 1000,
    onFault: (error) => reportFault(error, 'pipeline'),
  });
  let sealed = false;
  return {
    open: (start) =>
      start.transport === 'websocket'
        ? websocketRecorder(pipeline, start)
        : httpRecorder(pipeline, start),
    subscribeFaults(handler) {
      reportFault = handler;
    },
    async close() {
      if (!sealed) {
        sealed = true;
        writer.seal();
      }
      return [writer.file];
    },
  };
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

function httpRecorder(pipeline: CapturePipeline, start: ExchangeStart): ExchangeRecorder {
  // `undefined`: not begun yet (the request body is still arriving); `null`: not a provider route.
  let exchange: ExchangeCapture | null | undefined;
  let decoder: (zlib.Zlib & NodeJS.ReadWriteStream) | null = null;
  let headSeen = false;
  const begin = (body: Uint8Array | null) => {
    if (exchange === undefined) exchange = pipeline.begin(rawRequest(start, body));
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
        });
      }
      exchange?.head(status, recorded);
    },
    responseChunk(data) {
      if (decoder) decoder.write(data);
      else exchange?.chunk(data);
    },
    responseEnd() {
      if (!decoder) return exchange?.end();
      decoder.once('end', () => exchange?.end());
      decoder.end();
    },
    error(error) {
      begin(null);
      if (headSeen) exchange?.end({ aborted: true });
      else exchange?.fail(error.code, error.message);
    },
  };
}

/**
 * A proxied Responses WebSocket: every client message (`response.create`) starts an exchange,
 * the server messages that follow are its stream, which ends at the provider's terminal event.
 */
function websocketRecorder(pipeline: CapturePipeline, start: ExchangeStart): ExchangeRecorder {
  let current: ExchangeCapture | null = null;
  const finish = (aborted: boolean) => {
    current?.end(aborted ? { aborted: true } : {});
    current = null;
  };
  return {
    clientFrame(data) {
      // A new request while a response is still streaming: that response was cut short.
      finish(true);
      current = pipeline.begin(rawRequest(start, data));
    },
    serverFrame(data, isBinary) {
      if (!current || isBinary) return;
      current.frame(Buffer.from(data).toString('utf8'));
      if (current.done) finish(false);
    },
    closed: () => finish(true),
    error: () => finish(true),
  };
}
