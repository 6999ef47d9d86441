/**
 * Record mode for a WebSocket opened inside the process (the Agents SDK's Responses transport,
 * the openai SDK's `ResponsesWS`, a raw `ws` client). Passing the upgrade through would let the
 * frames go by unseen (issue 13: a cassette of bare `101` handshakes), so replaykit stands
 * between client and upstream as the listener's proxy does (listener/forward-ws.ts): it opens the
 * upstream socket first, answers the client's handshake the way the upstream answered ours (a
 * refusal is relayed as it came, so clients fall back to HTTP as they would), then relays frames
 * both ways and writes each `response.create` turn through the shared pipeline.
 */
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { ReplayKitError } from '../errors.ts';
import type { CapturePipeline } from '../pipeline/capture.ts';
import type { RawRequest } from '../pipeline/exchange.ts';
import { websocketTurns } from '../pipeline/websocket-turns.ts';
import { ClientSocket } from './client-socket.ts';
import { offeredProtocols, switchingProtocols } from './websocket.ts';

/** Handshake headers `ws` makes itself; everything else goes upstream as the client sent it. */
const OWN_HEADERS = new Set([
  'host',
  'connection',
  'upgrade',
  'content-length',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

interface InternalConnections {
  run<T>(callback: () => T): T;
}

/** One recorded socket, as the recorder tracks it until `stop()`. */
export interface RecordedSocket {
  /**
   * The recording stops: a turn still streaming is written as interrupted, and the socket is
   * closed (1001, going away). Left open, a client that keeps its socket (the Agents SDK reuses
   * one per model) would send its next turns unrecorded; closed, it reconnects and the next
   * recording sees them.
   */
  close(): void;
}

/**
 * Opens the upstream socket and answers the client's handshake. Resolves once the client has its
 * answer; the relay then runs on its own.
 */
export async function recordWebSocket(
  request: Request,
  raw: RawRequest,
  socket: Duplex,
  pipeline: CapturePipeline,
  respondWith: (response: Response) => void,
): Promise<RecordedSocket> {
  const target = new URL(request.url);
  target.protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
  const headers = Object.fromEntries(
    Object.entries(raw.headers).filter(([name]) => !OWN_HEADERS.has(name)),
  );
  const upstream = internal(
    () =>
      new WebSocket(target, offeredProtocols(request), {
        headers,
        perMessageDeflate: false,
      }),
  );
  const opened = await new Promise<boolean>((resolve) => {
    let settled = false;
    const settle = (response: Response | null) => {
      if (settled) return;
      settled = true;
      if (response) respondWith(response);
      resolve(response === null);
    };
    upstream.once('open', () => settle(null));
    upstream.once('unexpected-response', (upReq, upRes) => {
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.once('end', () => {
        const relayed = new Headers();
        for (const [name, value] of Object.entries(upRes.headers)) {
          if (value === undefined || name === 'transfer-encoding' || name === 'connection')
            continue;
          relayed.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        upReq.destroy();
        settle(
          new Response(Buffer.concat(chunks), {
            status: upRes.statusCode ?? 502,
            headers: relayed,
          }),
        );
      });
    });
    // Refused, reset, unreachable: the client gets the network error it would have got.
    upstream.on('error', () => settle(Response.error()));
  });
  if (!opened) return { close() {} };
  // The client gave up while the upstream was opening: nobody is left to relay to.
  if (socket.destroyed) {
    upstream.terminate();
    return { close() {} };
  }

  let capturing = true;
  const turns = websocketTurns(pipeline, {
    method: raw.method,
    url: raw.url,
    ...(raw.origin ? { origin: raw.origin } : {}),
    headers: raw.headers,
  });
  respondWith(switchingProtocols(request, upstream.protocol));
  const client = new ClientSocket(socket, {
    message(data, isBinary) {
      if (capturing) turns.clientFrame(data);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    },
    close(code, reason) {
      if (capturing) turns.finish(true);
      const sendable = code >= 1000 && code < 5000 && code !== 1005 && code !== 1006;
      if (upstream.readyState === WebSocket.OPEN) {
        if (sendable) upstream.close(code, reason);
        else upstream.close();
      } else upstream.terminate();
    },
  });
  upstream.on('message', (data, isBinary) => {
    const bytes = Array.isArray(data)
      ? Buffer.concat(data)
      : data instanceof ArrayBuffer
        ? Buffer.from(new Uint8Array(data))
        : data;
    if (capturing) turns.serverFrame(bytes, isBinary);
    if (isBinary) client.sendBinary(bytes);
    else client.sendText(bytes.toString('utf8'));
  });
  upstream.once('close', (code, reason) => {
    if (capturing) turns.finish(true);
    client.close(code, reason.toString());
  });
  upstream.on('error', () => client.terminate());
  return {
    close() {
      if (capturing) turns.finish(true);
      capturing = false;
      client.close(1001, 'replaykit recording stopped');
    },
  };
}

/**
 * The upstream socket must bypass the interceptor (or our own handler would answer it). The
 * interceptors package runs its own real connections in this context (shared across copies of
 * the package through a global); without it there is no safe way to record the socket.
 */
function internal<T>(open: () => T): T {
  const context = (globalThis as { __MSW_INTERNAL_CONNECTION_CONTEXT?: InternalConnections })
    .__MSW_INTERNAL_CONNECTION_CONTEXT;
  if (!context) {
    throw new ReplayKitError(
      'E_WEBSOCKET_CAPTURE',
      'Failed to record the WebSocket: this version of @mswjs/interceptors offers no internal connections. Install the version replaykit depends on.',
    );
  }
  return context.run(open);
}
