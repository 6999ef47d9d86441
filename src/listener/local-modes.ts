/**
 * The two modes where the listener answers by itself: `replay` serves a cassette (each request
 * matched by the shared replay engine, normalised and redacted as at record time, so volatile
 * fields such as Codex session ids or Claude Code's date line do not break matching), and
 * `synthetic` makes up deterministic provider-shaped answers. Both speak HTTP (JSON, SSE, Gemini
 * JSON arrays) and the Responses WebSocket, and both record what they served.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import type { ModelResponse } from '../cassette/schema.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import { requestSteps } from '../providers/index.ts';
import { createRedactor } from '../redaction/index.ts';
import type { Chaos } from '../replay/chaos.ts';
import { ReplayDivergenceError } from '../replay/divergence.ts';
import { divergenceAnswer, liveRequest } from '../replay/live.ts';
import type { MatchOptions } from '../replay/matcher.ts';
import { openReplay } from '../replay/open.ts';
import { type Served, served as servedOf, textFrames } from '../replay/serve.ts';
import type { ExchangeError, ExchangeRecorder } from './capture-hooks.ts';
import { beginExchange, type GatewayContext } from './gateway-context.ts';
import { readBody, serveStep } from './respond.ts';
import type { GatewayRoute } from './routes.ts';
import { syntheticResponse } from './synthetic.ts';

/** What the listener answers one request with. */
export type Answer =
  /** `served`: the step as chaos shapes it (replay/chaos.ts); absent, as recorded. */
  | { kind: 'serve'; step: ModelResponse; source: 'replay' | 'synthetic'; served?: Served }
  /** `--mode update` past the first divergence: the request goes to the upstream, recorded. */
  | { kind: 'live' }
  /** The recorded exchange got no response (e.g. connection refused): drop the connection. */
  | { kind: 'drop' }
  | {
      kind: 'error';
      status: number;
      headers: Record<string, string>;
      body: unknown;
      note: ExchangeError;
    };

/**
 * Matching happens when called (requests take their turn in arrival order); the answer may come
 * later, when its response is read back from a large cassette on disk.
 */
export type Answerer = (raw: RawRequest, ctx: GatewayContext) => Answer | Promise<Answer>;

export interface LocalResponder {
  http(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, route: GatewayRoute): void;
  upgrade(
    ctx: GatewayContext,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    route: GatewayRoute,
  ): void;
  close(): void;
}

/** `--mode replay`: one matcher over the cassette, each exchange served once. */
export async function replayAnswerer(
  cassette: string,
  options: MatchOptions = {},
  chaos?: Chaos,
): Promise<Answerer> {
  // Bounded as record()'s replay is (issue 15): a large cassette is indexed, and each response
  // read back from the file when it is served.
  const opened = await openReplay(cassette, options);
  const { matcher } = opened;
  // Live requests are redacted and minimised as the recording was (the whole header: a cassette
  // captured with `--capture full` keeps whole bodies, one without PII redaction keeps emails),
  // so the live side must be too, or nothing would match.
  const redactor = createRedactor(opened.redaction());
  return (raw, ctx) => {
    const live = liveRequest(raw, redactor);
    if (!live) return { kind: 'drop' };
    const result = matcher.take(live.request);
    if (!result.ok) {
      const error = new ReplayDivergenceError(result.divergence);
      ctx.counts.divergences++;
      const answer = divergenceAnswer(live.route.provider, error);
      return {
        kind: 'error',
        ...answer,
        note: {
          source: 'policy',
          code: 'E_REPLAY_DIVERGENCE',
          message: error.message,
          detail: { kind: result.divergence.kind, exchange: result.divergence.exchange },
        },
      };
    }
    const { exchange } = result;
    const stored = exchange.response;
    if (!stored) return { kind: 'drop' };
    const serve = (step: ModelResponse): Answer => {
      if (!chaos) return { kind: 'serve', step, source: 'replay' };
      const fault = chaos.fault(exchange.index, exchange.request.provider);
      // The exchange stays unused: the client's retry is answered with it.
      if (fault) matcher.release(exchange);
      const served = fault ?? chaos.apply(servedOf(step), exchange.index, !!step.stream);
      return { kind: 'serve', step, source: 'replay', served };
    };
    if ('step' in stored) return serve(stored.step);
    return opened.response(stored).then(serve);
  };
}

/** `--mode update` past the first divergence: forwarded, with the body already read. */
export type Forward = (
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: GatewayRoute,
  pre: { body: Buffer; exchange: ReturnType<typeof beginExchange> },
) => void;

/** `--mode synthetic` (and the `synthetic_allowed` fallback). */
export function syntheticAnswer(raw: RawRequest): Answer {
  const { route, steps } = requestSteps(raw, { correlation_id: 'synthetic', offset_ms: 0 });
  const request = steps.at(-1);
  const body =
    request?.type === 'model.request' ? (request.body as Record<string, unknown>) : undefined;
  const step = route ? syntheticResponse(route, body, raw.body) : null;
  if (step) return { kind: 'serve', step, source: 'synthetic' };
  const message = `Failed to answer "${raw.method} ${raw.url}" synthetically: synthetic mode has no response for this route. Use --mode live for it.`;
  return {
    kind: 'error',
    status: 501,
    headers: { 'content-type': 'application/json', 'x-replaykit-error': 'synthetic_unsupported' },
    body: {
      error: {
        message: `[replaykit] ${message}`,
        type: 'invalid_request_error',
        code: 'synthetic_unsupported',
      },
    },
    note: { source: 'policy', code: 'E_SYNTHETIC_UNSUPPORTED', message },
  };
}

export function createLocalResponder(
  answer: Answerer,
  options: { failOnSynthetic?: boolean; forward?: Forward } = {},
): LocalResponder {
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const served = (
    ctx: GatewayContext,
    rec: Required<ExchangeRecorder>,
    a: Answer,
    at: () => number,
  ) => {
    if (a.kind === 'serve') {
      rec.source(a.source);
      if (a.source === 'synthetic') markSynthetic(ctx, rec, at, options.failOnSynthetic);
    } else if (a.kind === 'error') {
      ctx.counts.errors++;
    }
  };

  return {
    http(ctx, req, res, route) {
      const exchange = beginExchange(ctx, req, route, 'http');
      const { at, url, headers, rec } = exchange;
      ctx.counts.requests++;
      const done = ctx.track(() => res.destroy());
      res.once('close', done);
      void readBody(req)
        .then(
          async (body) => {
            rec.requestBody(body, at());
            const raw: RawRequest = {
              method: req.method ?? 'GET',
              url,
              headers,
              body: body.length ? body : null,
              transport: 'http',
            };
            const a = await answer(raw, ctx);
            if (a.kind === 'live') {
              if (options.forward) return options.forward(ctx, req, res, route, { body, exchange });
              return void res.destroy();
            }
            served(ctx, rec, a, at);
            if (a.kind === 'serve') return serveStep(res, a.step, rec, at, {}, a.served);
            if (a.kind === 'drop') {
              rec.error(
                {
                  source: 'upstream',
                  code: 'recorded_no_response',
                  message: 'the recorded request got no response',
                },
                at(),
              );
              return void res.destroy();
            }
            const text = JSON.stringify(a.body);
            res.writeHead(a.status, { ...a.headers, 'content-length': Buffer.byteLength(text) });
            res.end(text);
            rec.error(a.note, at());
          },
          () => res.destroy(),
        )
        // A response that could not be read back from the cassette (the file changed or went
        // away): this request fails, the listener stays up.
        .catch(() => res.destroy());
    },

    upgrade(ctx, req, socket, head, route) {
      const { at, url, headers, rec } = beginExchange(ctx, req, route, 'websocket');
      const done = ctx.track(() => socket.destroy());
      wss.handleUpgrade(req, socket, head, (client) => {
        sockets.add(client);
        // Frames go out in the order of the client's messages, whatever order their answers
        // are read back from disk in.
        let sent: Promise<void> = Promise.resolve();
        client.on('message', (data, isBinary) => {
          const bytes = toBuffer(data);
          ctx.counts.requests++;
          // The same request shape the listener capture records for a client frame.
          rec.clientFrame(bytes, isBinary, at());
          const pending = answer(
            { method: req.method ?? 'GET', url, headers, body: bytes, transport: 'websocket' },
            ctx,
          );
          sent = sent.then(async () => reply(await pending)).catch(() => client.terminate());
        });
        const reply = (a: Answer) => {
          served(ctx, rec, a, at);
          if (a.kind === 'drop') return client.terminate();
          if (a.kind === 'live') {
            // Update mode records new turns over HTTP only (docs/CLI.md).
            return client.send(
              JSON.stringify({
                type: 'error',
                status: 501,
                error: {
                  message:
                    '[replaykit] Failed to update this WebSocket turn: --mode update re-records over HTTP only. Re-record it with --mode live.',
                },
              }),
            );
          }
          if (a.kind === 'error') {
            // The Responses WebSocket reports failures as an `error` frame on the open socket.
            rec.note(a.note, at());
            const error = (a.body as { error?: unknown }).error ?? a.body;
            return client.send(JSON.stringify({ type: 'error', status: a.status, error }));
          }
          const stream = a.step.stream;
          if (!stream) return client.send(JSON.stringify(a.step.body ?? null));
          for (const frame of textFrames(stream)) {
            client.send(frame);
            rec.serverFrame(Buffer.from(frame), false, at());
          }
          if (stream.state === 'interrupted') client.terminate();
        };
        client.once('close', (code, reason) => {
          sockets.delete(client);
          rec.closed(code, reason.toString(), at());
          done();
        });
      });
    },

    close() {
      for (const s of sockets) s.close(1001, 'listener stopping');
      wss.close();
    },
  };
}

/** Counts a synthetic answer; under `--fail-on-synthetic` it is also an `error.event`. */
export function markSynthetic(
  ctx: GatewayContext,
  rec: Required<ExchangeRecorder>,
  at: () => number,
  failOnSynthetic = false,
): void {
  ctx.counts.synthetic++;
  if (failOnSynthetic) {
    rec.note(
      {
        source: 'policy',
        code: 'E_SYNTHETIC_FORBIDDEN',
        message:
          'A synthetic response was served while --fail-on-synthetic is set: "listen stop" will exit 1.',
      },
      at(),
    );
  }
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? Buffer.from(data) : data;
}
