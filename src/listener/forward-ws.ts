/**
 * Proxies a WebSocket upgrade (Codex opens `GET /v1/responses` with `Upgrade: websocket` first,
 * FACTS.md). The upstream socket is opened before the client's handshake is answered, so an
 * upstream that refuses the upgrade refuses the client with the same status and body, and Codex
 * falls back to HTTP exactly as it would without us.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { beginExchange, type GatewayContext, joinUpstream } from './gateway-context.ts';
import { flattenHeaders, upstreamRequestHeaders } from './headers.ts';
import type { UpstreamProvider } from './options.ts';
import { type GatewayErrorInfo, providerErrorBody } from './provider-errors.ts';
import { type GatewayRoute, upstreamBase, upstreamPath } from './routes.ts';

const upstreamProtocol = new WeakMap<IncomingMessage, string>();

export function createWsProxy(ctx: GatewayContext) {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (_protocols, req) => upstreamProtocol.get(req) || false,
  });
  const sockets = new Set<WebSocket>();

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, route: GatewayRoute) {
    const { at, url, rec } = beginExchange(ctx, req, route, 'websocket');
    const base = joinUpstream(upstreamBase(ctx.upstreams, route) ?? '', upstreamPath(route, url));
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const upstream = new WebSocket(base, protocols, {
      headers: upstreamRequestHeaders(req.headers, base.host, (n) =>
        n.startsWith('sec-websocket-'),
      ),
      perMessageDeflate: false,
    });
    const done = ctx.track(() => {
      upstream.terminate();
      socket.destroy();
    });
    socket.once('close', () => {
      if (upstream.readyState !== WebSocket.OPEN) upstream.terminate();
    });

    // Exactly one of: relayed refusal, our 502, or a completed handshake.
    let settled = false;
    upstream.once('unexpected-response', (upReq, upRes) => {
      settled = true;
      ctx.counts.errors++;
      // Relay the upstream's refusal verbatim (status, headers, body) so the client's fallback
      // logic sees what it would have seen directly.
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.once('end', () => {
        const body = Buffer.concat(chunks);
        const headers = flattenHeaders(upRes.headers);
        delete headers['transfer-encoding'];
        delete headers.connection;
        headers['content-length'] = String(body.length);
        writeRawResponse(socket, upRes.statusCode ?? 502, upRes.statusMessage ?? '', headers, body);
        rec.error(
          { source: 'upstream', code: 'upgrade_refused', message: `status ${upRes.statusCode}` },
          at(),
        );
        upReq.destroy();
        done();
      });
      upRes.once('error', () => socket.destroy());
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      ctx.counts.errors++;
      rec.error(
        { source: 'upstream', code: error.code ?? 'upstream_error', message: error.message },
        at(),
      );
      writeProviderError(socket, route.provider, {
        status: 502,
        type: 'api_error',
        code: 'upstream_unreachable',
        message: `Failed to open the WebSocket "${url}" upstream at ${base.origin}: ${error.message}. Check that the upstream is reachable, or pass --upstream ${route.provider}=URL.`,
      });
      done();
    });

    upstream.once('open', () => {
      settled = true;
      if (upstream.protocol) upstreamProtocol.set(req, upstream.protocol);
      wss.handleUpgrade(req, socket, head, (client) => {
        sockets.add(client);
        relay(client, upstream, (data, isBinary) => {
          ctx.counts.requests++;
          rec.clientFrame(toBuffer(data), isBinary, at());
        });
        relay(upstream, client, (data, isBinary) =>
          rec.serverFrame(toBuffer(data), isBinary, at()),
        );
        client.once('close', (code, reason) => {
          sockets.delete(client);
          rec.closed(code, reason.toString(), at());
          done();
        });
      });
    });
  }

  return {
    handleUpgrade,
    /** Closes every proxied socket (1001 going away) and the server. */
    close() {
      for (const s of sockets) s.close(1001, 'listener stopping');
      wss.close();
    },
  };
}

function relay(
  from: WebSocket,
  to: WebSocket,
  onMessage: (d: WebSocket.RawData, b: boolean) => void,
) {
  from.on('message', (data, isBinary) => {
    if (to.readyState === WebSocket.OPEN) to.send(data, { binary: isBinary });
    onMessage(data, isBinary);
  });
  from.once('close', (code, reason) => {
    // 1005/1006 are reported, never sent: close the other side normally instead.
    const sendable = code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000;
    if (to.readyState === WebSocket.OPEN || to.readyState === WebSocket.CONNECTING) {
      to.close(sendable, reason);
    }
  });
  from.on('error', () => to.terminate());
}

function toBuffer(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

function writeRawResponse(
  socket: Duplex,
  status: number,
  statusText: string,
  headers: Record<string, string>,
  body: Buffer,
): void {
  if (!socket.writable) return;
  const lines = [`HTTP/1.1 ${status} ${statusText}`.trimEnd()];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  lines.push('connection: close');
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]));
}

export function writeProviderError(
  socket: Duplex,
  provider: UpstreamProvider,
  info: GatewayErrorInfo,
): void {
  const body = Buffer.from(JSON.stringify(providerErrorBody(provider, info)));
  writeRawResponse(
    socket,
    info.status,
    '',
    {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'x-replaykit-error': info.code,
    },
    body,
  );
}
