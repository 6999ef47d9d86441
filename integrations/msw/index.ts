/**
 * `replaykit/msw`: a cassette as msw request handlers, for projects already built on msw.
 *
 * ```ts
 * const server = setupServer(...handlersFromCassette('cassettes/chat.rpk'));
 * ```
 *
 * The handlers use the in-process replayer's engine (the matcher, redaction and `toResponse`),
 * so matching, divergence answers and streams behave exactly as in `record()`'s replay mode.
 * Requests that are not provider traffic fall through to the next handler.
 */
import { type HttpHandler, http } from 'msw';
import type {
  MatchOptions,
  ModelRequest,
  ReplayDivergenceError,
  ReplayMatcher,
} from '../../src/integration.ts';
import {
  createRedactor,
  openReplay,
  type RedactorOptions,
  ReplayHandler,
} from '../../src/integration.ts';

export interface CassetteHandlerOptions extends MatchOptions {
  /** Replay pacing: 0 instant (default), 1 recorded timing, N times faster. */
  replaySpeed?: number;
  /** Must match the settings the cassette was recorded with (on by default). */
  redact?: RedactorOptions;
}

/** The handlers plus what they saw, for assertions after the test. */
export interface CassetteHandlers {
  handlers: HttpHandler[];
  /** Live requests that matched no recorded exchange (each was answered with a provider 400). */
  readonly divergences: ReplayDivergenceError[];
  /** Recorded exchanges not requested so far. */
  unused(): ModelRequest[];
}

export function handlersFromCassette(
  rpk: string,
  options: CassetteHandlerOptions = {},
): HttpHandler[] {
  return cassetteHandlers(rpk, options).handlers;
}

export function cassetteHandlers(
  rpk: string,
  options: CassetteHandlerOptions = {},
): CassetteHandlers {
  // Loaded on the first request: msw wants handlers synchronously, reading is async.
  let engine: Promise<{ handler: ReplayHandler; matcher: ReplayMatcher }> | null = null;
  let loaded: { handler: ReplayHandler; matcher: ReplayMatcher } | null = null;
  const divergences: ReplayDivergenceError[] = [];
  const load = () => {
    // Opened as record()'s replay opens it: a large cassette stays on disk until served.
    engine ??= openReplay(rpk, options).then(({ matcher, hosts }) => {
      const handler = new ReplayHandler({
        matcher,
        redactor: createRedactor(options.redact),
        replaySpeed: options.replaySpeed ?? 0,
        unhandled: 'passthrough',
        hosts,
      });
      loaded = { handler, matcher };
      return loaded;
    });
    return engine;
  };
  const handler = http.all('*', async ({ request, requestId }) => {
    const { handler } = await load();
    let response: Response | undefined;
    const before = handler.divergences.length;
    await handler.onRequest({
      request,
      requestId,
      // No socket behind an msw handler: a WebSocket upgrade gets replaykit's refusal.
      initiator: undefined,
      respondWith: (r) => {
        response = r;
      },
    });
    divergences.push(...handler.divergences.slice(before));
    return response;
  });
  return {
    handlers: [handler],
    divergences,
    unused: () => (loaded ? loaded.matcher.unused().map((e) => e.request) : []),
  };
}
