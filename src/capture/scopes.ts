/**
 * Side-by-side `record()` scopes (issue 24): any number may be active in one process, and each
 * request belongs to the scope in whose async context it was made (`AsyncLocalStorage`).
 *
 * @note Where the context is still the caller's: the fetch shortcut and undici's global
 * dispatcher are called from the app's `fetch` call, so fetch (and SDK clients built at module
 * level, which keep a reference to `fetch`) are always attributed right. The socket-level
 * interceptor (`node:http`, clients with their own undici dispatcher, WebSocket handshakes) sees a
 * request in the context of the socket write, and a pooled keep-alive socket writes a queued
 * request when the previous response ends: in the context of whoever made that one (seen in
 * test/integration/capture/side-by-side-scopes.test.ts, one connection shared by two scopes).
 * `carryContexts` puts each request's own context back around its write.
 *
 * A request made in a scope that has ended goes as with no scope active, even while others are
 * (after a replay, provider traffic is refused: capture/after-replay.ts).
 * The rule for a request made outside every scope (no scope in its async context): with exactly
 * one scope active it belongs to that scope (as before side-by-side
 * scopes existed, so `beforeEach`-style setups keep working); with none it goes to the network;
 * with several, provider traffic fails at once with `E_SCOPE_OUTSIDE` (never given to a scope at
 * random) and anything else goes to the network untouched.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import { ReplayKitError } from '../errors.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import { detectRoute } from '../providers/index.ts';
import type { ProviderHosts } from '../providers/opaque.ts';
import type { DispatchRecorder } from './fetch-record.ts';
import type { Dispatcher, DispatchOptions, FetchHandler, RouteAnswer } from './fetch-route.ts';
import type { InterceptHandler } from './interceptor.ts';
import { processWide } from './process-wide.ts';

export interface Scope {
  /** The cassette's absolute path: two active scopes never share one. */
  readonly cassette: string;
  /** An `autoCassette` scope: the test's own cassette (its scope may replay a stand-in). */
  readonly auto?: string;
  /** Socket-level requests (`node:http`, own dispatchers, WebSocket handshakes). */
  intercept?: InterceptHandler;
  /** Replay: the answer for fetch, at undici's global dispatcher. */
  answer?: RouteAnswer;
  /** Replay: `answer` may also serve the `globalThis.fetch` shortcut. */
  shortcut?: boolean;
  /** Record: fetch calls, at undici's global dispatcher. */
  recorder?: DispatchRecorder;
  /** Update: fetch calls at undici's global dispatcher, answered or recorded (capture/update.ts). */
  dispatch?: (original: Dispatcher, options: DispatchOptions, handler: FetchHandler) => void;
  /** Provider origins this scope knows (for the outside rule). */
  hosts?: ProviderHosts;
}

/** Several scopes are active and the request is in none of them. */
export const OUTSIDE = Symbol('outside every scope');
/**
 * The request was made in a scope that has ended, while others are active: it is none of theirs
 * (a late call of a finished test), so it is treated as with no scope active.
 */
export const ENDED = Symbol('in an ended scope');

/**
 * Per process, like the interceptor that reads it (process-wide.ts): Jest evaluates this module
 * once per test file.
 */
const shared = processWide('capture.scopes', () => ({
  storage: new AsyncLocalStorage<Scope>(),
  active: new Set<Scope>(),
  /** Cassettes held by a scope, from `enterScope` (before any await) until its release. */
  held: new Map<string, Scope>(),
  carrying: false,
  /** The context each pending client request was made in (`undefined`: outside every scope). */
  madeIn: new WeakMap<object, Scope | undefined>(),
}));
const { storage, active, held, madeIn } = shared;

/**
 * A new scope for `cassette`, entered in the caller's async context (unless `enter` is false);
 * active once `activate`d.
 * `null` when another scope holds the same cassette file.
 */
export function enterScope(
  cassette: string,
  options: { enter?: boolean; auto?: string } = {},
): Scope | null {
  const files = [cassette, ...(options.auto ? [options.auto] : [])];
  if (files.some((file) => held.has(file))) return null;
  const scope: Scope = { cassette, ...(options.auto ? { auto: options.auto } : {}) };
  for (const file of files) held.set(file, scope);
  if (options.enter !== false) storage.enterWith(scope);
  return scope;
}

/** The scope holding `cassette` (its own, or the test cassette of an `autoCassette` scope). */
export function holderOf(cassette: string): Scope | undefined {
  return held.get(cassette);
}

/** Makes `scope` active; returns the function that ends it and frees its cassette. */
export function activate(scope: Scope): () => void {
  active.add(scope);
  return () => releaseScope(scope);
}

/** Ends `scope` (active or not yet) and frees its cassette. */
export function releaseScope(scope: Scope): void {
  active.delete(scope);
  for (const file of [scope.cassette, scope.auto]) {
    if (file && held.get(file) === scope) held.delete(file);
  }
}

/** Runs `fn` in `scope`'s async context: every request it makes belongs to `scope`. */
export function runInScope<T>(scope: Scope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function activeCount(): number {
  return active.size;
}

export function activeScopes(): Iterable<Scope> {
  return active;
}

/** The scope a request made now belongs to, `null` for none, `OUTSIDE` per the rule above. */
export function currentScope(): Scope | null | typeof OUTSIDE | typeof ENDED {
  const own = storage.getStore();
  if (own && active.has(own)) return own;
  if (active.size === 0) return null;
  // One scope: everything is its own, whatever context the request carries. Node 22's
  // async_hooks propagation can hand a socket's events the context of an earlier, ended scope
  // (an aborted fetch's), and that request must not be dropped as late.
  if (active.size === 1) return active.values().next().value ?? null;
  if (own && held.get(own.cassette) !== own) return ENDED;
  return OUTSIDE;
}

/** Whether a request outside every scope is provider traffic (then it fails, never passes). */
export function isProviderTraffic(raw: RawRequest): boolean {
  if (detectRoute({ ...raw, body: null })) return true;
  for (const scope of active) if (scope.hosts?.providerOf(raw)) return true;
  return false;
}

export function outsideError(raw: RawRequest): ReplayKitError {
  const cassettes = [...active].map((s) => `"${s.cassette}"`).join(', ');
  return new ReplayKitError(
    'E_SCOPE_OUTSIDE',
    `Failed to capture "${raw.method} ${raw.origin ?? ''}${raw.url.split('?')[0]}": it was made outside every record() scope while ${active.size} are active (${cassettes}), so it belongs to none of them. Make the request inside the scope's callback (record(options, run)) or in the test that started it; requests outside any scope are only attributed when exactly one scope is active.`,
  );
}

/**
 * What a request outside every scope gets while several are active: `null` (it goes on untouched)
 * unless it is provider traffic, which is answered with a `500` naming `E_SCOPE_OUTSIDE`.
 */
export function outsideAnswer(raw: RawRequest): Response | null {
  if (!isProviderTraffic(raw)) return null;
  const failure = outsideError(raw);
  return Response.json(
    { error: { message: failure.message, type: 'replaykit_error', code: failure.code } },
    { status: 500, headers: { 'x-replaykit-error': failure.code } },
  );
}

/**
 * Makes the socket write of each client request run in the context the request was made in:
 * - undici (Node's fetch and the `undici` package, any dispatcher): `undici:request:create` is
 *   published where the request is dispatched (the caller's context), `undici:client:sendHeaders`
 *   right before its bytes are written, wherever undici writes them from;
 * - `node:http`: `http.client.request.created` in the caller's context; the agent hands the
 *   request its socket (`onSocket`, from the previous response's end for a kept-alive one), and the
 *   buffered request is written from there.
 */
export function carryContexts(): void {
  if (shared.carrying) return;
  shared.carrying = true;
  const remember = (message: unknown) => {
    const request = (message as { request?: object }).request;
    if (request) madeIn.set(request, storage.getStore());
  };
  diagnostics.subscribe('undici:request:create', remember);
  diagnostics.subscribe('http.client.request.created', remember);
  diagnostics.subscribe('undici:client:sendHeaders', (message) => {
    const request = (message as { request?: object }).request;
    // Called synchronously before the write: the rest of this turn is the request's context.
    if (request && madeIn.has(request)) storage.enterWith(madeIn.get(request) as Scope);
  });
  const onSocket = http.ClientRequest.prototype.onSocket;
  http.ClientRequest.prototype.onSocket = function onSocketInItsContext(
    this: http.ClientRequest,
    ...args: Parameters<typeof onSocket>
  ) {
    if (!madeIn.has(this)) return Reflect.apply(onSocket, this, args);
    return storage.run(madeIn.get(this) as Scope, () => Reflect.apply(onSocket, this, args));
  } as typeof onSocket;
}
