/**
 * The capture pipeline shared by every front door: raw request → provider steps → redaction →
 * sink, and response bytes/frames → incremental stream capture → redaction → sink, event by event.
 *
 * Nothing in here may break the traffic it watches: every fault is caught, written as an
 * `error.event` (source `capture`) when the sink still works, and reported through `onFault` so a
 * listener can show itself degraded. The caller forwards the bytes regardless.
 */
import { randomUUID } from 'node:crypto';
import type {
  ErrorEvent,
  ResponseSource,
  StepInput,
  StreamEvent,
  StreamFormat,
} from '../cassette/schema.ts';
import type { CassetteWriter } from '../cassette/writer.ts';
import {
  type BodyLayout,
  bodyLayout,
  createStreamCapture,
  type DecodedBody,
  decodeBody,
  decodeRequest,
  detectRoute,
  requestIdOf,
  requestSteps,
  responseSteps,
  responseStreamFormat,
  routeOf,
} from '../providers/index.ts';
import { isOpaque, opaqueRoute, type ProviderHosts } from '../providers/opaque.ts';
import type { RouteInfo, StreamCapture } from '../providers/types.ts';
import { minimizeHeaders, type Redactor, type StreamRedactor } from '../redaction/index.ts';
import type { RawRequest } from './exchange.ts';

/** Where steps go: the part of the cassette writer the pipeline uses (storage is a port). */
export type StepSink = Pick<
  CassetteWriter,
  'append' | 'openStream' | 'streamEvent' | 'closeStream'
>;

export interface CapturePipelineOptions {
  sink: StepSink;
  redactor: Redactor;
  /** Milliseconds since the run started. */
  clock: () => number;
  onFault?: (error: unknown) => void;
  /**
   * Provider origins, learned as modelled exchanges go by: with it, requests the adapters do not
   * model are captured as opaque exchanges when they are provider traffic (providers/opaque.ts).
   */
  hosts?: ProviderHosts;
}

export interface ExchangeCapture {
  readonly correlation_id: string;
  readonly route: RouteInfo;
  /** The response status line and headers arrived. */
  head(status: number, headers: Record<string, string>): void;
  /** Response body bytes, at any split. */
  chunk(bytes: Uint8Array): void;
  /** One server WebSocket text frame. */
  frame(text: string): void;
  /** True once the provider signalled the end of this response (WebSocket turns end here). */
  readonly done: boolean;
  /** The response ended: cleanly, or cut off (`aborted`). Idempotent. */
  end(options?: { aborted?: boolean }): void;
  /** No response at all (connection refused, timeout): written as an `error.event`. */
  fail(code: string, message: string, options?: NoteOptions): void;
  /** An `error.event` for this exchange that does not end it (a policy decision, a bad body). */
  note(code: string, message: string, options?: NoteOptions): void;
  /**
   * Marks every response-side step written from now on (`synthetic` fallbacks, `replay` answers):
   * a reader can always tell a made-up response from a received one.
   */
  markSource(source: ResponseSource): void;
}

export interface NoteOptions {
  /** Default `upstream`. */
  source?: ErrorEvent['source'];
  detail?: unknown;
}

export class CapturePipeline {
  exchanges = 0;
  faults = 0;
  readonly #options: CapturePipelineOptions;

  constructor(options: CapturePipelineOptions) {
    this.#options = options;
  }

  /**
   * Starts capturing one exchange; `null` when the request is not provider traffic. `known`: the
   * route the front door already found (replay's trace), not detected again.
   */
  begin(request: RawRequest, known?: RouteInfo, decoded?: DecodedBody): ExchangeCapture | null {
    try {
      // The body is decoded once and the route detected once, here, and both passed along.
      const found = known
        ? { route: known, body: decoded ?? decodeRequest(request, isOpaque(known)) }
        : this.#route(request);
      if (!found) return null;
      const { route, body } = found;
      const ctx = { correlation_id: randomUUID(), offset_ms: this.#options.clock() };
      const { steps } = requestSteps(request, ctx, route, body);
      for (const step of steps) this.#append(step);
      this.exchanges++;
      return new Exchange(this, this.#options, route, ctx.correlation_id, ctx.offset_ms);
    } catch (error) {
      this.fault(error, request.url);
      return null;
    }
  }

  /**
   * Whether `begin` may capture a request, judged before its body is read (routes and provider
   * hosts are known by method, path, headers and origin): a front door that must buffer a body
   * to capture it leaves every other request untouched.
   */
  mayCapture(request: Omit<RawRequest, 'body'>): boolean {
    if (detectRoute({ ...request, body: null })) return true;
    return Boolean(this.#options.hosts?.providerOf(request));
  }

  #route(request: RawRequest): { route: RouteInfo; body: DecodedBody } | null {
    const body = decodeRequest(request);
    const route = routeOf(request, body);
    const { hosts } = this.#options;
    if (route) {
      hosts?.learn(request.origin, route.provider);
      return { route, body };
    }
    const provider = hosts?.providerOf(request);
    // An opaque exchange is kept byte for byte: its body is decoded again, exactly.
    return provider
      ? { route: opaqueRoute(provider, body), body: decodeRequest(request, true) }
      : null;
  }

  #append(step: StepInput): void {
    this.#options.sink.append(this.#options.redactor.step(step));
  }

  /** Records a capture-path fault without ever throwing. */
  fault(error: unknown, where: string, correlationId: string = randomUUID()): void {
    this.faults++;
    this.#options.onFault?.(error);
    try {
      this.#options.sink.append({
        type: 'error.event',
        correlation_id: correlationId,
        provider: 'unknown',
        // `where` is often the request URL: a query string can carry a key (`?key=` on Gemini).
        endpoint: this.#options.redactor.url(where),
        offset_ms: this.#options.clock(),
        source: 'capture',
        code: 'E_CAPTURE',
        message: this.#options.redactor.text(
          error instanceof Error ? error.message : String(error),
        ),
      });
    } catch {
      // The sink itself failed (disk full?): onFault has told the owner; nothing more to do.
    }
  }
}

class Exchange implements ExchangeCapture {
  readonly correlation_id: string;
  readonly route: RouteInfo;
  readonly #pipeline: CapturePipeline;
  readonly #o: CapturePipelineOptions;
  readonly #started: number;
  #status = 0;
  #headers: Record<string, string> = {};
  #stream: { capture: StreamCapture; redact: StreamRedactor; format: StreamFormat } | null = null;
  #body: Uint8Array[] = [];
  #ended = false;
  /** Events handed to the stream redactor so far (`finish` may return a final, unterminated one). */
  #seen = 0;
  /** Events' exact texts awaiting redaction, with their data as received (JSON). */
  readonly #exact = new Map<string, string>();
  #source: { response_source?: ResponseSource } = {};

  constructor(
    pipeline: CapturePipeline,
    options: CapturePipelineOptions,
    route: RouteInfo,
    correlationId: string,
    started: number,
  ) {
    this.#pipeline = pipeline;
    this.#o = options;
    this.route = route;
    this.correlation_id = correlationId;
    this.#started = started;
  }

  get done(): boolean {
    return this.#stream?.capture.done ?? false;
  }

  head(status: number, headers: Record<string, string>): void {
    this.#guard(() => {
      this.#status = status;
      this.#headers = headers;
      const format = streamFormatOf(this.route, status, headers);
      if (!format) return;
      this.#stream = {
        capture: createStreamCapture(this.route),
        redact: this.#o.redactor.stream(),
        format,
      };
      this.#o.sink.openStream({
        correlation_id: this.correlation_id,
        request_id: requestIdOf(this.route, headers),
        provider: this.route.provider,
        endpoint: this.route.endpoint,
        offset_ms: this.#o.clock(),
        status,
        headers: this.#responseHeaders(headers),
        format,
        ...this.#source,
      });
    });
  }

  chunk(bytes: Uint8Array): void {
    this.#guard(() => {
      if (!this.#stream) {
        this.#body.push(bytes);
        return;
      }
      this.#write(this.#stream.capture.push(bytes, this.#offset()));
    });
  }

  frame(text: string): void {
    this.#guard(() => {
      if (!this.#stream) this.head(101, {});
      if (this.#stream) this.#write(this.#stream.capture.pushFrame(text, this.#offset()));
    });
  }

  end(options: { aborted?: boolean } = {}): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#guard(() => {
      const ctx = { correlation_id: this.correlation_id, offset_ms: this.#o.clock() };
      if (this.#stream) {
        const { capture, redact, format } = this.#stream;
        const result = capture.finish(options);
        this.#write(result.events.slice(this.#seen));
        for (const ev of redact.flush()) this.#emit(ev);
        const [response, ...rest] = responseSteps(
          this.route,
          {
            status: this.#status,
            headers: this.#headers,
            stream: { format, state: result.state, events: [] },
            ...result,
          },
          ctx,
        );
        if (response?.type === 'model.response') {
          const {
            type: _t,
            correlation_id: _c,
            stream: _s,
            ...end
          } = this.#o.redactor.step(response);
          this.#o.sink.closeStream(this.correlation_id, {
            ...end,
            ...this.#source,
            state: result.state,
            // The server closed the connection properly, though no terminal event came first.
            ...(result.state === 'interrupted' && !options.aborted ? { ending: 'clean' } : {}),
            ...this.#framing(result.framing),
          });
        }
        for (const step of rest)
          this.#o.sink.append({ ...this.#o.redactor.step(step), ...this.#source });
        return;
      }
      const bytes = Buffer.concat(this.#body);
      const exact = isOpaque(this.route);
      const decoded = decodeBody(bytes.length ? bytes : null, this.#headers['content-type'], {
        exact,
      });
      const layout =
        !exact && decoded.body !== undefined
          ? bodyLayout(decoded.body, bytes.toString('utf8'))
          : {};
      const steps = responseSteps(
        this.route,
        exact
          ? { status: this.#status, headers: this.#headers, decoded }
          : {
              status: this.#status,
              headers: this.#headers,
              body: decoded.body ?? decoded.body_text,
            },
        ctx,
      );
      for (const step of steps) {
        const safe = this.#o.redactor.step(step);
        const kept =
          step.type === 'model.response' && safe.type === 'model.response'
            ? this.#safeLayout(step.body, safe.body, layout)
            : {};
        this.#o.sink.append({ ...safe, ...kept, ...this.#source });
      }
      if (options.aborted) this.fail('E_UPSTREAM_ABORTED', 'The response body ended early.');
    });
  }

  fail(code: string, message: string, options: NoteOptions = {}): void {
    this.#ended = true;
    this.note(code, message, options);
  }

  note(code: string, message: string, options: NoteOptions = {}): void {
    this.#guard(() => {
      this.#o.sink.append({
        type: 'error.event',
        correlation_id: this.correlation_id,
        provider: this.route.provider,
        endpoint: this.route.endpoint,
        offset_ms: this.#o.clock(),
        source: options.source ?? 'upstream',
        code,
        message: this.#o.redactor.text(message),
        ...(options.detail === undefined ? {} : { detail: this.#o.redactor.value(options.detail) }),
        ...this.#source,
      });
    });
  }

  /**
   * `stream.open` keeps the headers the closing `model.response` keeps (issue 14 item 4): before,
   * it kept `date`, `connection` and the like, so equal recordings differed.
   */
  #responseHeaders(headers: Record<string, string>): Record<string, string> {
    const { redactor } = this.#o;
    const kept =
      redactor.policy.policy === 'full' ? headers : minimizeHeaders(this.route.provider, headers);
    return redactor.headers(kept);
  }

  markSource(source: ResponseSource): void {
    this.#source = { response_source: source };
  }

  #offset(): number {
    return Math.max(0, this.#o.clock() - this.#started);
  }

  #write(events: StreamEvent[]): void {
    if (!this.#stream) return;
    this.#seen += events.length;
    for (const ev of events) {
      if (ev.raw !== undefined) this.#exact.set(ev.raw, JSON.stringify(ev.data));
      for (const safe of this.#stream.redact.push(ev)) this.#emit(safe);
    }
  }

  /**
   * An event's exact text holds its data as received: it is kept only when redaction changed
   * nothing in the data and finds nothing in the text itself, so no secret reaches the cassette
   * through it (the event then replays re-encoded, redacted).
   */
  #emit(ev: StreamEvent): void {
    if (ev.raw !== undefined) {
      const before = this.#exact.get(ev.raw);
      this.#exact.delete(ev.raw);
      if (before !== JSON.stringify(ev.data) || this.#o.redactor.text(ev.raw) !== ev.raw) {
        const { raw: _r, ...rest } = ev;
        ev = rest;
      }
    }
    this.#o.sink.streamEvent(this.correlation_id, ev);
  }

  /**
   * A body's exact text holds it as received: kept only when redaction changed nothing in the
   * body and the text detectors find nothing in the text, so no secret reaches the cassette.
   */
  #safeLayout(before: unknown, after: unknown, layout: BodyLayout): BodyLayout {
    if (layout.body_raw === undefined) return layout;
    const same = JSON.stringify(before) === JSON.stringify(after);
    return same && this.#o.redactor.text(layout.body_raw) === layout.body_raw ? layout : {};
  }

  #framing(framing?: { eol?: '\r\n' | '\r'; tail?: string }) {
    if (!framing) return {};
    const { eol, tail } = framing;
    // A tail is mostly a comment; redacted as any text, dropped if that would change it.
    const safeTail = tail !== undefined && this.#o.redactor.text(tail) === tail ? { tail } : {};
    return { ...(eol ? { eol } : {}), ...safeTail };
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#pipeline.fault(
        error,
        `${this.route.provider} ${this.route.endpoint}`,
        this.correlation_id,
      );
    }
  }
}

/** A response streams when the provider says so: SSE content type, a route's own format, a socket. */
export function streamFormatOf(
  route: RouteInfo,
  status: number,
  headers: Record<string, string>,
): StreamFormat | null {
  // Opaque bodies are stored whole, byte for byte, whatever their content type.
  if (isOpaque(route)) return null;
  return responseStreamFormat(route, status, headers['content-type'] ?? '');
}
