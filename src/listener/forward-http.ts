/**
 * Forwards one HTTP exchange to its upstream and the response back, byte for byte. Streams are
 * written through as each chunk arrives (headers flushed at once, no coalescing): buffering a
 * stream is the most common complaint about recording proxies (FACTS.md, field notes).
 *
 * Upstream faults (refused, timeout, 5xx, malformed JSON body, disconnect mid-stream) follow the
 * policy (docs/PASSIVE_LISTENER.md): retried with backoff while nothing has reached the client,
 * never after its first byte; then passed through provider-shaped (`live_only`), the same plus an
 * `error.event` (`best_effort`), or answered with a marked synthetic response (`synthetic_allowed`).
 */
import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { beginExchange, type GatewayContext, joinUpstream } from './gateway-context.ts';
import { clientResponseHeaders, flattenHeaders, upstreamRequestHeaders } from './headers.ts';
import { markSynthetic, syntheticAnswer } from './local-modes.ts';
import { sendProviderError } from './provider-errors.ts';
import { readBody, serveStep } from './respond.ts';
import { type GatewayRoute, upstreamBase, upstreamPath } from './routes.ts';

/** Largest JSON body checked for malformation (bigger ones pass unchecked). */
const CHECK_LIMIT = 8 * 1024 * 1024;

export function forwardHttp(
  ctx: GatewayContext & { agentFor(url: URL): http.Agent },
  req: IncomingMessage,
  res: ServerResponse,
  route: GatewayRoute,
  /** `--mode update`: the body was read, and the exchange begun, while matching it. */
  pre?: { body: Buffer; exchange: ReturnType<typeof beginExchange> },
): void {
  const { at, url, headers, rec } = pre?.exchange ?? beginExchange(ctx, req, route, 'http');
  if (!pre) ctx.counts.requests++;
  const { policy, retries, retryBackoffMs, timeoutMs } = ctx.upstream;
  let failed = false;
  const fail = () => {
    if (!failed) ctx.counts.errors++;
    failed = true;
  };
  let upstreamReq: ClientRequest | null = null;
  let retryTimer: NodeJS.Timeout | undefined;
  const done = ctx.track(() => {
    // Drain timed out: cut both sides; the recorder learns the stream was interrupted.
    fail();
    rec.error({ source: 'listener', code: 'shutdown', message: 'listener stopped' }, at());
    clearTimeout(retryTimer);
    upstreamReq?.destroy();
    res.destroy();
  });
  res.once('close', done);

  const target = joinUpstream(upstreamBase(ctx.upstreams, route) ?? '', upstreamPath(route, url));
  const client = target.protocol === 'https:' ? https : http;
  let body: Buffer = Buffer.alloc(0);

  /** An upstream fault: counted, and an `error.event` unless the policy is `live_only`. */
  const fault = (code: string, message: string) => {
    ctx.counts.upstream_faults++;
    if (policy !== 'live_only') rec.note({ source: 'upstream', code, message }, at());
  };

  /** `synthetic_allowed`: answer with a marked synthetic response; false if there is none. */
  const fallback = (): boolean => {
    if (policy !== 'synthetic_allowed') return false;
    const raw = { method: req.method ?? 'GET', url, headers, body, transport: 'http' as const };
    const answer = syntheticAnswer({ ...raw, body: body.length ? body : null });
    if (answer.kind !== 'serve') return false;
    rec.source('synthetic');
    markSynthetic(ctx, rec, at, ctx.upstream.failOnSynthetic);
    void serveStep(res, answer.step, rec, at);
    return true;
  };

  const retry = (attemptNo: number, why: string): boolean => {
    if (attemptNo >= retries || res.destroyed) return false;
    ctx.counts.retries++;
    rec.note(
      {
        source: 'upstream',
        code: 'upstream_retry',
        message: `${why}; retry ${attemptNo + 1} of ${retries}`,
      },
      at(),
    );
    retryTimer = setTimeout(() => attempt(attemptNo + 1), retryBackoffMs * 2 ** attemptNo);
    return true;
  };

  const attempt = (attemptNo: number) => {
    const outHeaders = upstreamRequestHeaders(req.headers, target.host);
    if (body.length > 0 || req.headers['content-length'] !== undefined) {
      outHeaders['content-length'] = String(body.length);
    }
    const up = client.request(target, {
      method: req.method,
      headers: outHeaders,
      agent: ctx.agentFor(target),
    });
    upstreamReq = up;
    up.setTimeout(timeoutMs, () => {
      up.destroy(
        Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }),
      );
    });
    up.once('response', (upRes) => onResponse(upRes, attemptNo));
    up.once('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) return brokenStream();
      if (res.destroyed) return;
      const reason = error.code ? `${error.code} ${error.message}` : error.message;
      if (retry(attemptNo, reason)) return;
      const timedOut = error.code === 'ETIMEDOUT';
      const code = timedOut ? 'upstream_timeout' : 'upstream_unreachable';
      ctx.counts.upstream_faults++;
      if (fallback()) return rec.note({ source: 'upstream', code, message: reason }, at());
      fail();
      rec.error({ source: 'upstream', code: error.code ?? code, message: reason }, at());
      sendProviderError(res, route.provider, {
        status: timedOut ? 504 : 502,
        type: 'api_error',
        code,
        message: `Failed to forward "${req.method} ${url}" to ${target.origin}: ${reason}. Check that the upstream is reachable, or pass --upstream ${route.provider}=URL${timedOut ? ' (or raise --timeout)' : ''}.`,
      });
    });
    up.end(body);
  };

  const onResponse = (upRes: IncomingMessage, attemptNo: number) => {
    const status = upRes.statusCode ?? 502;
    if (status >= 500) {
      if (retry(attemptNo, `status ${status}`)) return void upRes.resume();
      if (policy === 'synthetic_allowed') {
        ctx.counts.upstream_faults++;
        rec.note({ source: 'upstream', code: 'upstream_5xx', message: `status ${status}` }, at());
        if (fallback()) return void upRes.resume();
      } else fault('upstream_5xx', `status ${status}`);
    }
    const type = String(upRes.headers['content-type'] ?? '');
    // Checked after the client has it (off the latency path); only synthetic_allowed holds it.
    const checkJson = status < 400 && type.includes('json');
    if (checkJson && policy === 'synthetic_allowed') return holdJson(upRes, status);
    if (status >= 400) fail();
    res.writeHead(status, upRes.statusMessage, clientResponseHeaders(upRes.rawHeaders));
    // Send the status line now: a client waiting on a slow first token sees the response start.
    res.flushHeaders();
    rec.responseHead(status, flattenHeaders(upRes.headers), at());
    const seen: Buffer[] | null = checkJson ? [] : null;
    let size = 0;
    upRes.on('data', (chunk: Buffer) => {
      // Client first, recorder second: writing the cassette never delays the bytes.
      const flowing = res.write(chunk);
      rec.responseChunk(chunk, at());
      size += chunk.length;
      if (seen && size <= CHECK_LIMIT) seen.push(chunk);
      if (!flowing) {
        upRes.pause();
        res.once('drain', () => upRes.resume());
      }
    });
    upRes.once('end', () => {
      res.end();
      if (seen && size <= CHECK_LIMIT && !parses(seen)) {
        fault('upstream_malformed', 'the JSON response body does not parse');
      }
      rec.responseEnd(at());
    });
    upRes.once('aborted', () => brokenStream());
    upRes.once('error', () => brokenStream());
  };

  /** `synthetic_allowed` and a JSON body: check it parses before the client sees any of it. */
  const holdJson = (upRes: IncomingMessage, status: number) => {
    const chunks: Buffer[] = [];
    upRes.on('data', (c: Buffer) => chunks.push(c));
    upRes.once('aborted', () => brokenStream());
    upRes.once('end', () => {
      if (!parses(chunks)) {
        ctx.counts.upstream_faults++;
        rec.note(
          {
            source: 'upstream',
            code: 'upstream_malformed',
            message: 'the JSON response body does not parse',
          },
          at(),
        );
        if (fallback()) return;
      }
      const bytes = Buffer.concat(chunks);
      res.writeHead(status, upRes.statusMessage, clientResponseHeaders(upRes.rawHeaders));
      rec.responseHead(status, flattenHeaders(upRes.headers), at());
      res.end(bytes);
      rec.responseChunk(bytes, at());
      rec.responseEnd(at());
    });
  };

  // Mid-stream disconnect: pass the truth on (the client sees its connection cut), never a
  // made-up clean end, and never a retry: the client already has part of the answer.
  let broken = false;
  const brokenStream = () => {
    if (broken || res.writableEnded) return;
    broken = true;
    fail();
    fault('upstream_disconnected', 'upstream closed mid-response');
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

  // The client went away first: stop the upstream work it no longer wants.
  res.once('close', () => {
    if (res.writableFinished) return;
    if (!failed) {
      fail();
      rec.error({ source: 'client', code: 'client_disconnected', message: 'client closed' }, at());
    }
    clearTimeout(retryTimer);
    upstreamReq?.destroy();
  });

  if (pre) {
    body = pre.body;
    if (!res.destroyed) attempt(0);
    return;
  }
  readBody(req).then(
    (bytes) => {
      body = bytes;
      rec.requestBody(bytes, at());
      if (!res.destroyed) attempt(0);
    },
    () => res.destroy(),
  );
}

function parses(chunks: Buffer[]): boolean {
  try {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
