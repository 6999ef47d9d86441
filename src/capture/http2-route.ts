/**
 * `node:http2` sessions next to the socket-level interceptor (issue 21).
 *
 * @note An `Http2Session` binds to its socket's native handle and writes frames below the JS
 * `socket.write`. The interceptor decides capture or passthrough from the first bytes a client
 * writes, so it never saw a byte of an HTTP/2 connection and held it pending forever: every
 * `node:http2` client (the AWS SDK's Bedrock client, gRPC, any `http2.connect`) hung from the
 * first `record()` on, for the life of the process. `http2.connect` now opens its socket as an
 * internal connection of the interceptor, so the session reaches the network untouched.
 *
 * @note Clients that connect the socket themselves and hand it over (`createConnection`:
 * @grpc/grpc-js dials with `net.connect`, then layers TLS and HTTP/2 on it) give the session a
 * socket the interceptor already holds, whose handle never connected. The session gets a real
 * connection to the same target instead, made by the interceptor's own passthrough factory (so
 * TLS options such as a private CA and ALPN are the client's), and the held socket is closed
 * with it.
 *
 * @note A request on such a session that looks like provider traffic, while a recording is
 * active, is moved to a session served in process and goes through the recording's handler like
 * any other request (http2-bridge.ts: the AWS SDK's default Bedrock client is HTTP/2 only). Only
 * when no handler can take it (an ended scope) does it fail at once, with an error naming the
 * transport and the way out, instead of going out unrecorded or to a provider that a replay
 * promised not to call. Every other request passes through.
 */
import http2 from 'node:http2';
import { syncBuiltinESMExports } from 'node:module';
import { Duplex } from 'node:stream';
import type { Interceptor } from '@mswjs/interceptors';
import type { SocketInterceptor } from '@mswjs/interceptors/net';
import { ReplayKitError } from '../errors.ts';
import { detectRoute, ProviderHosts } from '../providers/index.ts';
import { type Bridge, isLocalSession, localSession } from './http2-bridge.ts';
import type { InterceptHandler } from './interceptor.ts';
import { processGlobal, processRequire, processWide } from './process-wide.ts';

/** Decides, per HTTP/2 request, whether it must be refused: an error, or `null` to send it. */
export type Http2Guard = (headers: http2.OutgoingHttpHeaders, origin: string) => Error | null;

interface InternalConnectionContext {
  run<T>(callback: () => T): T;
}

// The interceptor's, on the process's own global (process-wide.ts), not a test file's.
const connectionContext = () =>
  processGlobal().__MSW_INTERNAL_CONNECTION_CONTEXT as InternalConnectionContext | undefined;

/** The parts of the interceptor's socket controller used here (not in its public types). */
interface HeldSocket {
  readyState: number;
  createConnection(): Duplex;
}
/** `SocketController.PENDING`: nothing decided yet, no byte sent anywhere. */
const PENDING = 0;

/**
 * Per process, like the patch: Jest evaluates this module once per test file, and the guard a
 * later file sets must reach the patch the first file installed (process-wide.ts).
 */
const state = processWide('capture.http2-route', () => ({
  guard: null as Http2Guard | null,
  /** Side-by-side scopes each set one: the latest still set is the one in force. */
  guards: [] as GuardEntry[],
  /** The recording whose handler takes bridged requests (the latest guard's). */
  scope: null as BridgedScope | null,
  installed: false,
}));

/** The parts of a recording scope (capture/scopes.ts) a bridged HTTP/2 request needs. */
export interface BridgedScope {
  intercept?: InterceptHandler;
  /** Set in replay mode only. */
  answer?: unknown;
  hosts?: ProviderHosts;
}

interface GuardEntry {
  g: Http2Guard;
  scope: BridgedScope | null;
}
const held = new WeakMap<object, HeldSocket>();
const origins = new WeakMap<object, string>();

/**
 * Patches `http2.connect` once (kept for the life of the process, like the interceptor). Call
 * after the socket-level interceptor is applied.
 */
export function installHttp2Route(): void {
  if (state.installed) return;
  state.installed = true;
  const { Interceptor: Base } = processRequire('@mswjs/interceptors') as {
    Interceptor: typeof Interceptor;
  };
  const { SocketInterceptor: Sockets } = processRequire('@mswjs/interceptors/net') as {
    SocketInterceptor: typeof SocketInterceptor;
  };
  Base.singleton(Sockets).on('connection', ({ controller }) => {
    const socket = Reflect.get(controller, 'socket') as object | undefined;
    if (socket) held.set(socket, controller as unknown as HeldSocket);
  });
  const connect = http2.connect;
  const patched = function connect_(this: unknown, ...args: Parameters<typeof http2.connect>) {
    const [authority, options, listener] = args;
    if (typeof options === 'object' && options?.createConnection) {
      args = [authority, { ...options, createConnection: unheld(options.createConnection) }];
      if (listener) args.push(listener);
    }
    const origin = originOf(args[0]);
    // Replay: a session to an origin the cassette recorded is served in process from the
    // start, so that nothing connects to where the provider was.
    const scope = state.scope;
    if (scope?.answer !== undefined && scope.hosts?.owner(origin) && !args[1]?.createConnection) {
      const session = localSession(connect, origin, bridgeOf(scope));
      if (typeof args[2] === 'function') session.once('connect', args[2]);
      else if (typeof args[1] === 'function') session.once('connect', args[1]);
      origins.set(session, origin);
      return session;
    }
    const context = connectionContext();
    const session = context
      ? context.run(() => Reflect.apply(connect, this, args))
      : Reflect.apply(connect, this, args);
    origins.set(session, origin);
    return session;
  } as typeof http2.connect;
  const bridgeOf = (scope: BridgedScope): Bridge => ({
    handler: () => scope.intercept,
    connectReal: (origin) => {
      const context = connectionContext();
      return context ? context.run(() => connect(origin)) : connect(origin);
    },
    request: originalRequest,
  });
  const originalRequest = guardRequests(connect, (scope, origin, args) => {
    const session = localSession(connect, origin, bridgeOf(scope));
    origins.set(session, origin);
    const stream = Reflect.apply(originalRequest, session, args) as http2.ClientHttp2Stream;
    stream.once('close', () => session.close());
    return stream;
  });
  http2.connect = patched;
  // ESM importers (`import { connect } from 'node:http2'`) see the patched function too.
  syncBuiltinESMExports();
}

/**
 * Sets the guard for requests on HTTP/2 sessions, and the scope whose handler takes the requests
 * it flags (without one they are refused); returns the function that removes both.
 */
export function setHttp2Guard(g: Http2Guard, scope: BridgedScope | null = null): () => void {
  const entry = { g, scope };
  state.guards.push(entry);
  state.guard = g;
  state.scope = scope;
  return () => {
    const at = state.guards.indexOf(entry);
    if (at >= 0) state.guards.splice(at, 1);
    state.guard = state.guards.at(-1)?.g ?? null;
    state.scope = state.guards.at(-1)?.scope ?? null;
  };
}

type CreateConnection = NonNullable<http2.ClientSessionOptions['createConnection']>;

/** A `createConnection` whose socket is never one the interceptor holds undecided. */
function unheld(create: CreateConnection): CreateConnection {
  return (authority, option) => {
    const socket = create(authority, option);
    const controller = held.get(socket);
    if (!controller || controller.readyState !== PENDING) return socket;
    const real = controller.createConnection();
    real.once('close', () => socket.destroy());
    socket.once('close', () => real.destroy());
    return real;
  };
}

/** Request headers as an object: `session.request` also takes Node's flat raw list. */
function headerObject(
  headers: http2.OutgoingHttpHeaders | readonly string[] | undefined,
): http2.OutgoingHttpHeaders {
  if (!headers) return {};
  if (!Array.isArray(headers)) return headers as http2.OutgoingHttpHeaders;
  const out: http2.OutgoingHttpHeaders = {};
  for (let i = 0; i + 1 < headers.length; i += 2) out[headers[i]!.toLowerCase()] = headers[i + 1];
  return out;
}

function originOf(authority: unknown): string {
  try {
    return new URL(String(authority)).origin;
  } catch {
    return String(authority);
  }
}

/** A session over a stream that goes nowhere: whatever is sent on it never leaves the process. */
function nowhereSession(connect: typeof http2.connect): http2.ClientHttp2Session {
  const nowhere = new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() });
  const session = connect('http://replaykit.invalid', { createConnection: () => nowhere });
  session.on('error', () => undefined);
  return session;
}

/**
 * Guards `request` on `ClientHttp2Session.prototype` (Node does not export the class), so
 * sessions opened before the first `record()` (a gRPC channel, a pooled session) are guarded too.
 * A refused request is made on a session that goes nowhere, so that nothing reaches the server
 * and the caller still gets a real stream, which fails with the refusal.
 */
function guardRequests(
  connect: typeof http2.connect,
  bridge: (
    scope: BridgedScope,
    origin: string,
    args: Parameters<http2.ClientHttp2Session['request']>,
  ) => http2.ClientHttp2Stream,
): http2.ClientHttp2Session['request'] {
  const probe = nowhereSession(connect);
  probe.destroy();
  const prototype = Object.getPrototypeOf(probe) as http2.ClientHttp2Session;
  const request = prototype.request;
  prototype.request = function guardedRequest(
    this: http2.ClientHttp2Session,
    ...args: Parameters<typeof request>
  ) {
    if (isLocalSession(this)) return Reflect.apply(request, this, args);
    const origin = origins.get(this) ?? originOfSession(this);
    const refusal = state.guard?.(headerObject(args[0]), origin);
    if (!refusal) return Reflect.apply(request, this, args);
    if (state.scope?.intercept) return bridge(state.scope, origin, args);
    const nowhere = nowhereSession(connect);
    const stream = Reflect.apply(request, nowhere, args) as http2.ClientHttp2Stream;
    stream.once('close', () => nowhere.destroy());
    stream.destroy(refusal);
    return stream;
  } as typeof request;
  return request;
}

/** A session opened before the patch: its TLS origin, else its peer's address. */
function originOfSession(session: http2.ClientHttp2Session): string {
  const tlsOrigin = session.originSet?.[0];
  if (tlsOrigin) return tlsOrigin;
  const { remoteAddress, remotePort } = session.socket ?? {};
  return `http://${remoteAddress?.includes(':') ? `[${remoteAddress}]` : remoteAddress}:${remotePort}`;
}

/**
 * Bedrock Runtime's routes: provider traffic by path, even though no provider module models it
 * yet (so it is refused over HTTP/2 during a recording rather than passing through unseen).
 */
const BEDROCK_PATH =
  /^\/model\/[^/]+\/(?:converse|converse-stream|invoke|invoke-with-response-stream)$/;

/**
 * The guard used during a recording: refuses what is provider traffic by the same signs as opaque
 * exchanges (providers/opaque.ts: a modelled route, a provider's host, a provider SDK's headers),
 * and Bedrock Runtime's routes. `hosts`: the active handler's, so a replay also knows the custom
 * gateways its cassette was recorded on.
 */
export function refuseProviderTraffic(
  headers: http2.OutgoingHttpHeaders,
  origin: string,
  hosts: ProviderHosts = new ProviderHosts(),
): Error | null {
  const method = String(headers[':method'] ?? 'GET').toUpperCase();
  const path = String(headers[':path'] ?? '/');
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith(':') && value !== undefined) flat[name.toLowerCase()] = String(value);
  }
  // The message names the path without its query: `?key=` would put a key in a thrown error.
  const bare = path.split('?')[0] ?? '';
  const provider =
    BEDROCK_PATH.test(bare) ||
    detectRoute({ method, url: path, headers: flat }) !== null ||
    hosts.providerOf({ origin, headers: flat }) !== null;
  if (!provider) return null;
  return new ReplayKitError(
    'E_TRANSPORT_NOT_CAPTURED',
    `Failed to capture "${method} ${origin}${bare}": it went over HTTP/2 (node:http2), which replaykit does not record or replay, so it was stopped rather than sent unseen. Make the client use HTTP/1.1 (AWS SDK: requestHandler: new NodeHttpHandler() from @smithy/node-http-handler; fetch: a dispatcher without allowH2).`,
  );
}
