/** What the HTTP forwarder and the WebSocket proxy share with the gateway that owns them. */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { ExchangeRecorder, ExchangeStart } from './capture-hooks.ts';
import { flattenHeaders } from './headers.ts';
import type { ListenerPolicy } from './state.ts';

export interface GatewayCounts {
  /** Exchanges seen: HTTP requests, plus one per client message on a proxied WebSocket. */
  requests: number;
  /** Exchanges that ended badly: status >= 400, an upstream failure, or a broken stream. */
  errors: number;
  /** Responses the listener made up (synthetic mode): always 0 in live mode. */
  synthetic: number;
  /** Capture-path faults: the traffic flowed, the recording is incomplete. */
  capture_faults: number;
  /** Upstream faults (refused, timeout, 5xx, malformed body, disconnect), whatever the policy did. */
  upstream_faults: number;
  /** Upstream attempts repeated after a fault that came before the first byte. */
  retries: number;
  /** Replay mode: live requests that matched no recorded exchange. */
  divergences: number;
}

export interface UpstreamPolicy {
  policy: ListenerPolicy;
  failOnSynthetic: boolean;
  /** No response head, or no byte of the body, for this long: a timeout fault. */
  timeoutMs: number;
  /** Extra attempts after a fault before the first byte reached the client. */
  retries: number;
  /** First backoff; doubled for each further attempt. */
  retryBackoffMs: number;
}

export interface GatewayContext {
  /** By provider name or `compat:NAME`. */
  upstreams: Record<string, string>;
  upstream: UpstreamPolicy;
  counts: GatewayCounts;
  /** Milliseconds since the gateway started. */
  now(): number;
  nextCorrelationId(): string;
  recorder(start: ExchangeStart): Required<ExchangeRecorder>;
  /** Registers in-flight work so shutdown can drain it; call the returned function when done. */
  track(abort: () => void): () => void;
}

/** Keep-alive agents per protocol: a fresh TCP+TLS handshake per request would dominate latency. */
export function createAgents() {
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true });
  return {
    for(url: URL) {
      return url.protocol === 'https:' ? httpsAgent : httpAgent;
    },
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** Upstream base URL + request path: `http://h/base` and `/v1/x?q` give `/base/v1/x?q`. */
export function joinUpstream(base: string, path: string): URL {
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/+$/, '');
  const target = new URL(`${url.origin}${prefix}${path}`);
  return target;
}

/** How every gateway handler starts an exchange: its clock, address, headers and recorder. */
export function beginExchange(
  ctx: GatewayContext,
  req: IncomingMessage,
  route: ExchangeStart['route'],
  transport: ExchangeStart['transport'],
) {
  const started = ctx.now();
  const url = req.url ?? '/';
  const headers = flattenHeaders(req.headers);
  const rec = ctx.recorder({
    correlation_id: ctx.nextCorrelationId(),
    offset_ms: started,
    transport,
    route,
    method: req.method ?? 'GET',
    url,
    headers,
  });
  return { at: () => ctx.now() - started, url, headers, rec };
}
