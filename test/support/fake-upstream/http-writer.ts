/** Writes a plan to an HTTP response: status, headers, paced and re-chunked bytes, faults. */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyChunking, encodeEvents, type Plan } from './plan.ts';
import type { ReplyOptions, SentResponse } from './types.ts';

const encoder = new TextEncoder();

export async function writePlan(
  res: ServerResponse,
  plan: Plan,
  options: ReplyOptions,
  sent: SentResponse,
  signal: AbortSignal,
): Promise<void> {
  if (plan.type === 'hang') return; // left open; close() destroys the socket
  let status: number;
  let headers: Record<string, string>;
  let units: Uint8Array[];
  let cut = false;
  if (plan.type === 'raw') {
    ({ status, headers } = plan);
    units = plan.chunks;
  } else {
    const { rendered, cutAfter } = plan;
    ({ status, headers } = rendered);
    if (rendered.type === 'body') {
      const body =
        typeof rendered.body === 'string' ? encoder.encode(rendered.body) : rendered.body;
      // Content-Length stays the full size, so a client sees the body cut short.
      headers = { ...headers, 'content-length': String(body.length) };
      units =
        cutAfter === undefined ? [body] : cutAfter > 0 ? [body.subarray(0, body.length >> 1)] : [];
    } else {
      units = encodeEvents(rendered);
      if (cutAfter !== undefined) units = units.slice(0, cutAfter);
    }
    cut = cutAfter !== undefined;
  }
  headers = { ...headers, ...options.headers };
  sent.status = status;
  sent.headers = headers;
  res.writeHead(status, headers);
  res.flushHeaders();
  const writes = applyChunking(units, options.chunking);
  for (const [i, chunk] of writes.entries()) {
    if (i > 0 && options.delayMs) {
      try {
        await sleep(options.delayMs, undefined, { signal });
      } catch {
        return; // the server is closing
      }
    }
    if (res.destroyed) return;
    sent.chunks.push(chunk);
    res.write(chunk);
    // Yield so each write leaves as its own chunk instead of being coalesced with the next.
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (cut) {
    // Let the written bytes leave before the reset, so the client sees a started stream.
    await new Promise((resolve) => setImmediate(resolve));
    res.socket?.destroy();
    return;
  }
  res.end();
}
