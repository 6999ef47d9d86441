/**
 * The in-process gateway: an HTTP server that forwards provider routes (HTTP, SSE, WebSocket) to
 * their upstreams and answers its own control routes under `/__replaykit/`. The spawned listener
 * runs exactly this; tests and embedders create it directly.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Step } from '../cassette/schema.ts';
import { cliName } from '../cli-name.ts';
import { UsageError } from '../errors.ts';
import { MCP_PREFIX } from '../mcp/channel.ts';
import { Chaos, type ChaosOptions } from '../replay/chaos.ts';
import { recordedSteps } from '../replay/open.ts';
import type { UpdateReport } from '../replay/update-cassette.ts';
import { handleIngest, INGEST_PREFIX } from './agent-ingest.ts';
import { type CaptureSink, guardRecorder, NO_CAPTURE } from './capture-hooks.ts';
import { createDeferrer } from './defer.ts';
import { forwardHttp } from './forward-http.ts';
import { createWsProxy, writeProviderError } from './forward-ws.ts';
import {
  createAgents,
  type GatewayContext,
  type GatewayCounts,
  type UpstreamPolicy,
} from './gateway-context.ts';
import { CONTROL_TOKEN_HEADER, TOKEN_HEADER } from './headers.ts';
import {
  createLocalResponder,
  type LocalResponder,
  replayAnswerer,
  syntheticAnswer,
} from './local-modes.ts';
import { createMcpHttp } from './mcp-http.ts';
import { handleMcp } from './mcp-route.ts';
import { DEFAULT_UPSTREAMS, type UpstreamProvider } from './options.ts';
import { sendProviderError } from './provider-errors.ts';
import { errorShapeFor, matchRoute, SUPPORTED_ROUTES, upstreamBase } from './routes.ts';
import { bindServer, sameSecret, urlFor } from './server-utils.ts';
import type { ListenerMode, ListenerPolicy } from './state.ts';
import { createTunnels } from './tunnel.ts';
import { createUpdate, type ListenerUpdate } from './update.ts';

export interface GatewayOptions {
  host?: string;
  /** 0 (the default here) picks a free port. */
  port?: number;
  mode?: ListenerMode;
  policy?: ListenerPolicy;
  upstreams?: Partial<Record<UpstreamProvider, string>>;
  /** When set, every request must carry it in `x-replaykit-token`. */
  token?: string | null;
  /** Secret for `POST /__replaykit/shutdown`; generated when absent. */
  controlToken?: string;
  instanceId?: string;
  capture?: CaptureSink;
  /** Reported by the health endpoint. */
  artifact?: string | null;
  /** How long shutdown waits for in-flight exchanges before cutting them. Default 10 s. */
  drainTimeoutMs?: number;
  /** Called after `POST /__replaykit/shutdown` has drained, sealed and answered. */
  onShutdown?: (result: GatewayCloseResult) => void;
  /** A capture hook threw: the traffic still flowed. */
  onCaptureFault?: (error: unknown, hook: string) => void;
  /** `mode: 'replay'` and `mode: 'update'`: the cassette to serve (and, updating, rewrite). */
  cassette?: string | null;
  /** `mode: 'replay'`: chaos replay (replay/chaos.ts). */
  chaos?: ChaosOptions | null;
  /** `mode: 'replay'`: JSON paths left out of matching (`record()`'s `ignorePaths`). */
  ignorePaths?: string[];
  failOnSynthetic?: boolean;
  /** Upstream timeout (no head, or no body byte, for this long). Default 600 000 ms. */
  timeoutMs?: number;
  /** Extra attempts on a fault before the client got a byte. Default 0. */
  retries?: number;
  /** First retry backoff, doubled each time. Default 250 ms. */
  retryBackoffMs?: number;
  /** Shown by health and status (synthetic mode, `--capture full`). */
  warnings?: string[];
  /** Streamable-HTTP MCP servers by name (`--upstream mcp.NAME=URL`; `mcp` is served at /mcp). */
  mcpUpstreams?: Record<string, string>;
}

export interface GatewayHealth {
  status: 'running' | 'draining';
  pid: number;
  instance_id: string;
  port: number;
  url: string;
  mode: ListenerMode;
  policy: ListenerPolicy;
  artifact: string | null;
  uptime_s: number;
  counts: GatewayCounts;
  degraded: boolean;
  /** Why the recording is not a plain live capture (synthetic mode, `--capture full`). */
  warnings: string[];
}

export interface GatewayCloseResult {
  artifacts: string[];
  counts: GatewayCounts;
  /** In-flight exchanges cut because they outlived the drain timeout. */
  interrupted: number;
  /** `mode: 'update'`: what changed in the cassette. */
  update?: UpdateReport;
}

export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly instanceId: string;
  readonly controlToken: string;
  health(): GatewayHealth;
  /** Stops accepting, drains in-flight exchanges (up to the timeout), seals capture. Idempotent. */
  close(options?: { drainTimeoutMs?: number }): Promise<GatewayCloseResult>;
}

export async function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const host = options.host ?? '127.0.0.1';
  const mode = options.mode ?? 'live';
  const policy = options.policy ?? 'live_only';
  const instanceId = options.instanceId ?? randomUUID();
  const controlToken = options.controlToken ?? randomBytes(24).toString('hex');
  const capture = options.capture ?? NO_CAPTURE;
  const token = options.token ?? null;
  const startedAt = performance.now();
  const counts: GatewayCounts = {
    requests: 0,
    errors: 0,
    synthetic: 0,
    capture_faults: 0,
    upstream_faults: 0,
    retries: 0,
    divergences: 0,
  };
  const upstream: UpstreamPolicy = {
    policy,
    failOnSynthetic: options.failOnSynthetic ?? false,
    timeoutMs: options.timeoutMs ?? 600_000,
    retries: options.retries ?? 0,
    retryBackoffMs: options.retryBackoffMs ?? 250,
  };
  let local: LocalResponder | null = null;
  let updating: ListenerUpdate | undefined;
  if (mode === 'replay') {
    if (!options.cassette) throw new UsageError('--mode replay needs --cassette FILE.');
    const match = options.ignorePaths?.length ? { ignorePaths: options.ignorePaths } : {};
    const chaos = options.chaos ? new Chaos(options.chaos) : undefined;
    local = createLocalResponder(await replayAnswerer(options.cassette, match, chaos));
  } else if (mode === 'update') {
    if (!options.cassette) throw new UsageError('--mode update needs --cassette FILE.');
    const match = options.ignorePaths?.length ? { ignorePaths: options.ignorePaths } : {};
    updating = await createUpdate(options.cassette, match);
    local = createLocalResponder(updating.answer, {
      // The context handed over is this gateway's own (`ctx`, below), agents included.
      forward: (_c, req, res, route, pre) => forwardHttp(ctx, req, res, route, pre),
    });
  } else if (mode === 'synthetic') {
    local = createLocalResponder((raw) => syntheticAnswer(raw), {
      failOnSynthetic: upstream.failOnSynthetic,
    });
  }
  const mcpHttp = createMcpHttp({
    upstreams: options.mcpUpstreams ?? {},
    capture,
    replay:
      mode === 'replay' && options.cassette
        ? {
            steps: await mcpSteps(options.cassette),
            cassette: options.cassette,
          }
        : null,
  });
  const agents = createAgents();
  const inflight = new Set<() => void>();
  let draining = false;
  let exchangeSeq = 0;

  // Capture hooks run after the turn's bytes went out (defer.ts).
  const deferred = createDeferrer(() => capture.persist?.());
  const ctx: GatewayContext & { agentFor(url: URL): http.Agent } = {
    upstreams: { ...DEFAULT_UPSTREAMS, ...options.upstreams },
    upstream,
    counts,
    now: () => performance.now() - startedAt,
    nextCorrelationId: () => `lx-${String(++exchangeSeq).padStart(4, '0')}`,
    recorder: (start) =>
      deferred.wrap(
        guardRecorder(
          () => capture.open(start),
          (error, hook) => {
            // The sink writes it down and reports back through subscribeFaults (counted there).
            if (capture.recordFault && capture.subscribeFaults)
              return capture.recordFault(error, hook);
            counts.capture_faults++;
            options.onCaptureFault?.(error, hook);
          },
        ),
      ),
    track(abort) {
      inflight.add(abort);
      let finished = false;
      return () => {
        if (finished) return;
        finished = true;
        inflight.delete(abort);
        if (draining && inflight.size === 0) drained?.();
      };
    },
    agentFor: (url) => agents.for(url),
  };
  capture.subscribeFaults?.((error, hook) => {
    counts.capture_faults++;
    options.onCaptureFault?.(error, hook);
  });
  const ws = createWsProxy(ctx);
  let drained: (() => void) | undefined;
  let port = 0;

  const health = (): GatewayHealth => ({
    status: draining ? 'draining' : 'running',
    pid: process.pid,
    instance_id: instanceId,
    port,
    url: urlFor(host, port),
    mode,
    policy,
    artifact: capture.current?.() ?? options.artifact ?? null,
    uptime_s: Math.round(ctx.now() / 1000),
    counts: { ...counts },
    // Capture faults, or live traffic answered synthetically: the artifact is not what happened.
    degraded: counts.capture_faults > 0 || (mode === 'live' && counts.synthetic > 0),
    warnings: options.warnings ?? [],
  });

  const server = http.createServer({ noDelay: true }, (req, res) => {
    if (token !== null && !sameSecret(req.headers[TOKEN_HEADER], token)) {
      return sendProviderError(res, errorShapeFor(req.url ?? '/', req.headers), {
        status: 401,
        type: 'authentication_error',
        code: 'replaykit_token_required',
        message: `Failed to accept "${req.method} ${req.url}": this listener requires the ${TOKEN_HEADER} header. Send the token given to "${cliName()} listen start --token".`,
      });
    }
    if (req.url?.startsWith('/__replaykit/')) return control(req, res);
    if (draining) {
      res.setHeader('connection', 'close');
      return sendProviderError(res, errorShapeFor(req.url ?? '/', req.headers), {
        status: 503,
        type: 'overloaded_error',
        code: 'replaykit_stopping',
        message: `Failed to forward "${req.method} ${req.url}": the listener is stopping. Start it again with "${cliName()} listen start".`,
      });
    }
    if (mcpHttp.handle(req, res)) return;
    const route = matchRoute(req.method ?? 'GET', req.url ?? '/', req.headers);
    // `/compat/NAME` for a server neither configured (--upstream compat:NAME=URL) nor known.
    if (!route || upstreamBase(ctx.upstreams, route) === undefined) return unsupported(req, res);
    if (local) return local.http(ctx, req, res, route);
    forwardHttp(ctx, req, res, route);
  });

  const tunnels = createTunnels({
    upstreams: Object.values(ctx.upstreams),
    tokenRequired: token !== null,
    url: () => urlFor(host, port),
  });
  server.on('connect', (req, socket, head) => tunnels.connect(req, socket, head));

  server.on('upgrade', (req, socket, head) => {
    const route = matchRoute(req.method ?? 'GET', req.url ?? '/', req.headers);
    const shape = errorShapeFor(req.url ?? '/', req.headers);
    socket.on('error', () => socket.destroy());
    if (token !== null && !sameSecret(req.headers[TOKEN_HEADER], token)) {
      return writeProviderError(socket, shape, {
        status: 401,
        type: 'authentication_error',
        code: 'replaykit_token_required',
        message: `Failed to accept the WebSocket "${req.url}": this listener requires the ${TOKEN_HEADER} header.`,
      });
    }
    if (draining || route?.endpoint !== 'responses') {
      return writeProviderError(socket, shape, {
        status: draining ? 503 : 404,
        type: 'invalid_request_error',
        code: draining ? 'replaykit_stopping' : 'unsupported_route',
        message: `Failed to upgrade "${req.url}" to a WebSocket: only GET /v1/responses (OpenAI Responses) is proxied over WebSocket. Use HTTP for other routes.`,
      });
    }
    if (local) return local.upgrade(ctx, req, socket, head, route);
    ws.handleUpgrade(req, socket, head, route);
  });

  function unsupported(req: IncomingMessage, res: ServerResponse) {
    const method = req.method ?? 'GET';
    sendProviderError(res, errorShapeFor(req.url ?? '/', req.headers), {
      status: 404,
      type: 'invalid_request_error',
      code: 'unsupported_route',
      message: `Failed to route "${method} ${req.url}": the ReplayKit listener does not forward this route. Supported routes: ${SUPPORTED_ROUTES.join('; ')}. Hint: set the SDK base URL to the listener root (OpenAI: ${urlFor(host, port)}/v1, Anthropic and Gemini: ${urlFor(host, port)}); "${cliName()} listen env" prints the lines.`,
    });
  }

  function control(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '').split('?')[0];
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(text);
    };
    if (path?.startsWith(INGEST_PREFIX)) return void handleIngest(req, res, path, capture);
    if (path?.startsWith(MCP_PREFIX)) return void handleMcp(req, res, capture);
    if (path === '/__replaykit/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      return json(200, health());
    }
    if (path === '/__replaykit/shutdown' && req.method === 'POST') {
      if (!sameSecret(req.headers[CONTROL_TOKEN_HEADER], controlToken)) {
        return json(403, {
          error: { message: 'shutdown needs the control token from the state file' },
        });
      }
      req.resume();
      void close().then((result) => {
        res.setHeader('connection', 'close');
        json(200, result);
        res.once('finish', () => {
          server.closeAllConnections();
          options.onShutdown?.(result);
        });
      });
      return;
    }
    json(404, {
      error: {
        message: `Unknown control route "${req.method} ${path}": use GET /__replaykit/health.`,
      },
    });
  }

  let closing: Promise<GatewayCloseResult> | undefined;
  function close(closeOptions: { drainTimeoutMs?: number } = {}): Promise<GatewayCloseResult> {
    closing ??= (async () => {
      // Keep accepting while draining: health must still answer (status "draining"), and new
      // provider requests get a clear 503 rather than a refused connection.
      draining = true;
      server.closeIdleConnections();
      let interrupted = 0;
      if (inflight.size > 0) {
        const timeout = closeOptions.drainTimeoutMs ?? options.drainTimeoutMs ?? 10_000;
        const allDone = new Promise<void>((resolve) => {
          drained = resolve;
        });
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeout);
        });
        if (await Promise.race([allDone.then(() => false), timedOut])) {
          interrupted = inflight.size;
          for (const abort of [...inflight]) abort();
          inflight.clear();
        }
        clearTimeout(timer);
      }
      server.close();
      tunnels.close();
      ws.close();
      local?.close();
      agents.destroy();
      let artifacts: string[] = [];
      try {
        deferred.flush();
        artifacts = await capture.close();
      } catch (error) {
        counts.capture_faults++;
        options.onCaptureFault?.(error, 'close');
      }
      let update: UpdateReport | undefined;
      try {
        update = await updating?.finish(artifacts);
      } catch (error) {
        counts.capture_faults++;
        options.onCaptureFault?.(error, 'update');
      }
      return { artifacts, counts: { ...counts }, interrupted, ...(update ? { update } : {}) };
    })();
    return closing;
  }

  await bindServer(server, host, options.port ?? 0);
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: urlFor(host, port),
    port,
    host,
    instanceId,
    controlToken,
    health,
    async close(closeOptions) {
      const result = await close(closeOptions);
      server.closeAllConnections();
      return result;
    },
  };
}

/**
 * The cassette's MCP steps, read one step at a time. Only they are kept: the model traffic is
 * served by the replay answerer from its on-disk index, and loading the whole file here undid that
 * bound (a 64 MB cassette no longer replayed under a 48 MB heap; issue 15).
 */
async function mcpSteps(cassette: string): Promise<Step[]> {
  const steps: Step[] = [];
  for await (const step of recordedSteps(cassette)) if (step.provider === 'mcp') steps.push(step);
  return steps;
}
