/**
 * Responses over WebSocket, as Codex speaks it: `GET /v1/responses` + `Upgrade`, then each client
 * text frame `{"type":"response.create",...}` is a request answered with one JSON frame per event.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Plan } from './plan.ts';
import type { ReplyOptions, SentResponse } from './types.ts';

const decoder = new TextDecoder();

export function rejectUpgrade(socket: Duplex, status: number): void {
  const reason = status === 426 ? 'Upgrade Required' : 'Rejected';
  const body = JSON.stringify({
    error: {
      message: 'WebSocket upgrade rejected by the fake upstream',
      type: 'invalid_request_error',
      param: null,
      code: 'websocket_rejected',
    },
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function createWebSocketServer(): WebSocketServer {
  // perMessageDeflate off: frames stay byte-comparable with what `sent` records.
  return new WebSocketServer({ noServer: true, perMessageDeflate: false });
}

export function acceptUpgrade(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<WebSocket> {
  return new Promise((resolve) => wss.handleUpgrade(req, socket, head, resolve));
}

/** Sends a plan as frames. Returns when done; a hang never sends and returns at once. */
export async function sendPlan(
  ws: WebSocket,
  plan: Plan,
  options: ReplyOptions,
  sent: SentResponse,
  signal: AbortSignal,
): Promise<void> {
  if (plan.type === 'hang') return;
  let frames: string[];
  let cut = false;
  if (plan.type === 'raw') {
    frames = plan.chunks.map((c) => decoder.decode(c));
  } else if (plan.rendered.type === 'body') {
    // Errors over WebSocket arrive as an `error` event frame, the socket stays open.
    const { status } = plan.rendered;
    const body =
      typeof plan.rendered.body === 'string'
        ? plan.rendered.body
        : decoder.decode(plan.rendered.body);
    frames = [status >= 400 ? errorFrame(status, body) : body];
  } else {
    frames = plan.rendered.events.map((e) => e.data);
    if (plan.cutAfter !== undefined) {
      frames = frames.slice(0, plan.cutAfter);
      cut = true;
    }
  }
  sent.status = plan.type === 'raw' ? plan.status : plan.rendered.status;
  for (const [i, frame] of frames.entries()) {
    if (i > 0 && options.delayMs) {
      try {
        await sleep(options.delayMs, undefined, { signal });
      } catch {
        return;
      }
    }
    if (ws.readyState !== ws.OPEN) return;
    sent.chunks.push(new TextEncoder().encode(frame));
    await new Promise<void>((resolve) => ws.send(frame, () => resolve()));
  }
  if (cut) ws.terminate();
}

function errorFrame(status: number, body: string): string {
  let error: unknown = { message: body };
  try {
    error = (JSON.parse(body) as { error?: unknown }).error ?? error;
  } catch {
    // keep the raw text as the message
  }
  return JSON.stringify({ type: 'error', status, error });
}
