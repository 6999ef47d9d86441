/**
 * Replay (stub) mode: provider requests never reach the network. Each one is normalised and
 * redacted exactly as at record time, matched against the cassette, and answered with the
 * recorded response, streamed event by event.
 *
 * @note Matching runs in arrival order, even though request bodies are read asynchronously: each
 * request takes its turn synchronously when the interceptor hands it over, so identical concurrent
 * requests get the recorded answers in recorded order on every run.
 */
import type { ModelResponse } from '../cassette/schema.ts';
import type { ReplayKitError } from '../errors.ts';
import type { CapturePipeline, ExchangeCapture } from '../pipeline/capture.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import { decodedOf } from '../providers/index.ts';
import type { ProviderHosts } from '../providers/opaque.ts';
import type { Redactor } from '../redaction/index.ts';
import type { Chaos } from '../replay/chaos.ts';
import { ReplayDivergenceError } from '../replay/divergence.ts';
import { feedFailure, feedResponse, serveOptionsOf } from '../replay/feed.ts';
import { loadResponse } from '../replay/index-file.ts';
import {
  type DivergenceAnswer,
  divergenceAnswer,
  liveRequest,
  redactLive,
} from '../replay/live.ts';
import type { RecordedExchange, ReplayMatcher } from '../replay/matcher.ts';
import { responseOf, type Served, served, textFrames } from '../replay/serve.ts';
import { keepAsRecorded } from '../replay/trace.ts';
import type { ClientSocket } from './client-socket.ts';
import type { InterceptedRequest, InterceptHandler } from './interceptor.ts';
import { rawRequest } from './raw.ts';
import {
  classifyUpgrade,
  isWebSocketUpgrade,
  refuse,
  refuseUncapturable,
  unsupportedSocket,
} from './websocket.ts';
import { replayWebSocket } from './websocket-replay.ts';

export interface ReplayHandlerOptions {
  matcher: ReplayMatcher;
  redactor: Redactor;
  replaySpeed: number;
  /** What happens to requests that are not provider traffic. */
  unhandled: 'passthrough' | 'error';
  /**
   * Provider origins (the cassette's, the known hosts, those seen live): every request to one is
   * answered from the cassette or fails, and never reaches the network.
   */
  hosts: ProviderHosts;
  /** Parity: every served exchange is also captured here, as a recorder would have. */
  trace?: CapturePipeline;
  /**
   * Update mode (capture/update.ts): a miss is no divergence, it makes the scope go live, and
   * from then on every request passes (answered `null`) to be recorded.
   */
  update?: { readonly live: boolean; goLive(): void };
  /** Chaos replay (replay/chaos.ts): HTTP answers re-chunked, cut, delayed or failed. */
  chaos?: Chaos;
}

/** What a WebSocket turn gets: frames to send (then a cut, if recorded so), or a dropped socket. */
export type TurnAnswer =
  | { kind: 'frames'; frames: string[]; interrupted: boolean; waits?: number[] }
  | { kind: 'drop' };

type Match =
  | { kind: 'pass' }
  | { kind: 'miss'; answer: DivergenceAnswer }
  | {
      kind: 'hit';
      exchange: RecordedExchange;
      recorded: ModelResponse | null;
      capture: ExchangeCapture | null;
    };

export class ReplayHandler implements InterceptHandler {
  readonly divergences: ReplayDivergenceError[] = [];
  /** Traffic that could not be replayed (a WebSocket whose frames are out of reach). */
  readonly failures: ReplayKitError[] = [];
  served = 0;
  /** Parity: which recorded exchange served each traced one (correlation ids: trace → cassette). */
  readonly servedBy = new Map<string, string>();
  /** Correlation ids of the recorded exchanges served, in order (a divergence's HTML diff). */
  readonly servedIds: string[] = [];
  readonly #o: ReplayHandlerOptions;
  #turn: Promise<unknown> = Promise.resolve();
  readonly #feeding = new Set<Promise<void>>();
  readonly #sockets = new Set<ClientSocket>();

  constructor(options: ReplayHandlerOptions) {
    this.#o = options;
  }

  async onRequest({ request, respondWith, initiator }: InterceptedRequest): Promise<void> {
    if (isWebSocketUpgrade(request)) {
      const raw = await rawRequest(request);
      const upgrade = classifyUpgrade(raw, this.#o.hosts);
      if (upgrade.kind === 'provider') {
        return refuse(this.failures, unsupportedSocket(request, 'replay'), respondWith);
      }
      if (upgrade.kind === 'other') {
        if (this.#o.unhandled === 'error') respondWith(Response.error());
        return;
      }
      const socket = refuseUncapturable(this.failures, request, initiator, 'replay', respondWith);
      if (socket) {
        this.#sockets.add(replayWebSocket(request, raw, socket, (r) => this.turn(r), respondWith));
      }
      return;
    }
    const response = await this.respond(rawRequest(request), request.signal);
    if (response) respondWith(response);
  }

  /** `answer` as a web `Response`, for callers that need one. */
  async respond(raw: Promise<RawRequest>, signal: AbortSignal): Promise<Response | null> {
    const answer = await this.answer(raw, signal);
    return answer && 'chunks' in answer ? responseOf(answer, signal) : answer;
  }

  /**
   * The recorded answer to a request, `null` to let it through: as served (status, headers,
   * chunks; the fetch route pushes them to undici as they are), or a `Response` when there is
   * none to serve (a recorded failure, a blocked request, a parity trace reading the body). Takes
   * its turn when called, while the body may still be arriving: callers hand requests over in
   * arrival order.
   */
  answer(raw: Promise<RawRequest>, signal: AbortSignal): Promise<Served | Response | null> {
    const turn = this.#turn.then(async () => this.#answer(await raw, signal));
    this.#turn = turn.catch(() => undefined);
    return turn;
  }

  onResponse(): void {}

  /** Waits until the trace has every served response (parity only). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#feeding]);
    // As in record mode: a socket kept open past the replay would be answered by a stopped one.
    for (const socket of this.#sockets) socket.close(1001, 'replaykit replay stopped');
    this.#sockets.clear();
  }

  /**
   * One Responses WebSocket turn (a client `response.create`): the recorded frames, an `error`
   * frame for a miss (what the Responses WebSocket sends for a failed request), or `drop` when
   * the recorded exchange got no response. Takes its turn like any request.
   */
  turn(raw: RawRequest): Promise<TurnAnswer> {
    const turn = this.#turn.then(() => this.#turnAnswer(raw));
    this.#turn = turn.catch(() => undefined);
    return turn;
  }

  async #turnAnswer(raw: RawRequest): Promise<TurnAnswer> {
    const match = await this.#match(raw);
    if (match.kind === 'pass') return { kind: 'drop' };
    if (match.kind === 'miss') {
      const error = (match.answer.body as { error?: unknown }).error ?? match.answer.body;
      return {
        kind: 'frames',
        frames: [JSON.stringify({ type: 'error', status: match.answer.status, error })],
        interrupted: false,
      };
    }
    const { recorded, capture, exchange } = match;
    if (!recorded) {
      if (capture) feedFailure(capture, exchange);
      return { kind: 'drop' };
    }
    if (capture) {
      const task = feedResponse(capture, recorded, null).finally(() => this.#feeding.delete(task));
      this.#feeding.add(task);
    }
    const stream = recorded.stream;
    if (!stream) {
      return {
        kind: 'frames',
        frames: [JSON.stringify(recorded.body ?? null)],
        interrupted: false,
      };
    }
    const speed = this.#o.replaySpeed;
    const events = stream.events;
    return {
      kind: 'frames',
      frames: textFrames(stream),
      interrupted: stream.state === 'interrupted',
      // replaySpeed as for HTTP streams: the recorded gap before each frame, scaled.
      ...(speed > 0 && events.length > 0
        ? {
            waits: events.map((ev, i) =>
              i === 0 ? 0 : (ev.offset_ms - events[i - 1]!.offset_ms) / speed,
            ),
          }
        : {}),
    };
  }

  async #match(raw: RawRequest): Promise<Match> {
    const update = this.#o.update;
    if (update?.live) return { kind: 'pass' };
    // Unredacted first: most requests hold no secret, and redaction is the costly part.
    const plain = liveRequest(raw, keepAsRecorded, this.#o.hosts);
    if (!plain) return { kind: 'pass' };
    const exact = this.#o.matcher.takeExact(plain.request);
    const live = exact ? plain : { ...plain, request: redactLive(this.#o.redactor, plain.request) };
    const result = exact ?? this.#o.matcher.take(live.request);
    if (!result.ok && update) {
      update.goLive();
      return { kind: 'pass' };
    }
    if (!result.ok) {
      const error = new ReplayDivergenceError(result.divergence);
      this.divergences.push(error);
      return { kind: 'miss', answer: divergenceAnswer(live.route.provider, error) };
    }
    this.served++;
    const exchange = result.exchange;
    this.servedIds.push(exchange.correlation_id);
    // Read back from the cassette before the trace begins: a large one keeps responses on disk
    // (one held in memory is taken as it is, without waiting a turn).
    const stored = exchange.response;
    const recorded = stored && ('step' in stored ? stored.step : await loadResponse(stored));
    // The route and body the match found, passed on: the trace neither detects nor decodes again.
    const capture = this.#o.trace?.begin(raw, live.route, decodedOf(plain.request)) ?? null;
    if (capture) this.servedBy.set(capture.correlation_id, exchange.correlation_id);
    return { kind: 'hit', exchange, recorded: recorded ?? null, capture };
  }

  async #answer(raw: RawRequest, signal: AbortSignal): Promise<Served | Response | null> {
    const match = await this.#match(raw);
    if (match.kind === 'pass') {
      return this.#o.unhandled === 'passthrough' ? null : Response.error();
    }
    if (match.kind === 'miss') {
      const { status, headers, body } = match.answer;
      return {
        status,
        headers: Object.entries(headers),
        chunks: [Buffer.from(JSON.stringify(body))],
      };
    }
    const { exchange, recorded, capture } = match;
    // No recorded response: the request failed at record time (e.g. connection refused).
    if (!recorded) {
      if (capture) feedFailure(capture, exchange);
      return Response.error();
    }
    const chaos = this.#o.chaos;
    const fault = chaos?.fault(exchange.index, exchange.request.provider);
    if (fault) {
      // The exchange stays unused: the client's retry is answered with it.
      this.#o.matcher.release(exchange);
      this.served--;
      return fault;
    }
    const plain = served(recorded, {
      replaySpeed: this.#o.replaySpeed,
      ...serveOptionsOf(exchange),
    });
    const answer = chaos ? chaos.apply(plain, exchange.index, !!recorded.stream) : plain;
    if (!capture) return answer;
    const response = responseOf(answer, signal);
    // The client reads one branch at its own pace; the trace reads the other.
    const [client, copy] = response.body ? response.body.tee() : [null, null];
    const task = feedResponse(capture, recorded, copy).finally(() => this.#feeding.delete(task));
    this.#feeding.add(task);
    return new Response(client, { status: response.status, headers: response.headers });
  }
}
