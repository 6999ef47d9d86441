/**
 * Forwards one HTTP exchange to its upstream and the response back, byte for byte. Streams are
 * written through as each chunk arrives (headers flushed at once, no coalescing): buffering a
 * stream is the most common complaint about recording proxies (FACTS.md, field notes).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { ExchangeRecorder } from './capture-hooks.ts';
import { type GatewayContext, joinUpstream } from './gateway-context.ts';
import { clientResponseHeaders, flattenHeaders, upstreamRequestHeaders } from './headers.ts';
import { sendProviderError } from './provider-errors.ts';
import { type GatewayRoute, upstreamPath } from './routes.ts';

export function forwardHttp(
  ctx: GatewayContext & { agentFor(url: URL): http.Agent },
  req: IncomingMessage,
  res: ServerResponse,
  route: GatewayRoute,
): void {
  const started = ctx.now();
  const at = () => ctx.now() - started;
  const url = req.url ?? '/';
  const rec: Required<ExchangeRecorder> = ctx.recorder({
    correlation_id: ctx.nextCorrelationId(),
    offset_ms: started,
    transport: 'http',
    route,
    method: req.method ?? 'GET',
    url,
    headers: flattenHeaders(req.headers),
  });
  ctx.counts.requests++;
  let failed = false;
  const fail = () => {
    if (!failed) ctx.counts.errors++;
    failed = true;
  };

  const target = joinUpstream(ctx.upstreams[route.provider], upstreamPath(route, url));
  const client = target.protocol === 'https:' ? https : http;
  const upstreamReq = client.request(target, {
    method: req.method,
    headers: upstreamRequestHeaders(req.headers, target.host),
    agent: ctx.agentFor(target),
  });
  const done = ctx.track(() => {
    // Drain timed out: cut both sides; the recorder learns the stream was interrupted.
    fail();
    rec.error({ source: 'listener', code: 'shutdown', message: 'listener stopped' }, at());
    upstreamReq.destroy();
    res.destroy();
  });
  res.once('close', done);

  const body: Buffer[] = [];
  req.on('data', (chunk: Buffer) => body.push(chunk));
  req.once('end', () => rec.requestBody(Buffer.concat(body), at()));
  req.pipe(upstreamReq);

  upstreamReq.once('response', (upRes) => {
    const status = upRes.statusCode ?? 502;
    if (status >= 400) fail();
    res.writeHead(status, upRes.statusMessage, clientResponseHeaders(upRes.rawHeaders));
    // Send the status line now: a client waiting on a slow first token sees the response start.
    res.flushHeaders();
    rec.responseHead(status, flattenHeaders(upRes.headers), at());
    upRes.on('data', (chunk: Buffer) => {
      // Client first, recorder second: writing the cassette never delays the bytes.
      const flowing = res.write(chunk);
      rec.responseChunk(chunk, at());
      if (!flowing) {
        upRes.pause();
        res.once('drain', () => upRes.resume());
      }
    });
    upRes.once('end', () => {
      res.end();
      rec.responseEnd(at());
    });
    upRes.once('aborted', () => brokenStream());
    upRes.once('error', () => brokenStream());
  });

  // Mid-stream disconnect: pass the truth on (the client sees its connection cut), never a
  // made-up clean end.
  let broken = false;
  const brokenStream = () => {
    if (broken || res.writableEnded) return;
    broken = true;
    fail();
    rec.error(
      {
        source: 'upstream',
        code: 'upstream_disconnected',
        message: 'upstream closed mid-response',
      },
      at(),
    );
    res.destroy();
  };

  upstreamReq.once('error', (error: NodeJS.ErrnoException) => {
    if (res.headersSent) return brokenStream();
    fail();
    const reason = error.code ? `${error.code} ${error.message}` : error.message;
    rec.error({ source: 'upstream', code: error.code ?? 'upstream_error', message: reason }, at());
    sendProviderError(res, route.provider, {
      status: 502,
      type: 'api_error',
      code: 'upstream_unreachable',
      message: `Failed to forward "${req.method} ${url}" to ${target.origin}: ${reason}. Check that the upstream is reachable, or pass --upstream ${route.provider}=URL.`,
    });
  });

  // The client went away first: stop the upstream work it no longer wants.
  res.once('close', () => {
    if (res.writableFinished) return;
    if (!failed) {
      fail();
      rec.error({ source: 'client', code: 'client_disconnected', message: 'client closed' }, at());
    }
    upstreamReq.destroy();
  });
}
