/**
 * Answering a client from the listener itself (replay, synthetic, fallbacks): a recorded or
 * made-up `model.response` goes out through the same serve path as the in-process replayer
 * (`replay/serve.ts`), event by event, and through the capture hooks exactly as a forwarded
 * response would, so the run's artifact shows what the client was given.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ModelResponse } from '../cassette/schema.ts';
import { responseOf, type Served, toResponse } from '../replay/serve.ts';
import type { ExchangeRecorder } from './capture-hooks.ts';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Writes `step` to the client and the recorder; resolves when the response is over. */
export async function serveStep(
  res: ServerResponse,
  step: ModelResponse,
  rec: Required<ExchangeRecorder>,
  at: () => number,
  extraHeaders: Record<string, string> = {},
  /** The answer as chaos replay shapes it (re-chunked, cut, delayed, or an error status). */
  served?: Served,
): Promise<void> {
  const response = served ? responseOf(served) : toResponse(step);
  const status = served?.status ?? step.status;
  const headers: Record<string, string> = { ...extraHeaders };
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(status, headers);
  res.flushHeaders();
  rec.responseHead(status, headers, at());
  if (!response.body) {
    res.end();
    rec.responseEnd(at());
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      if (res.destroyed) return void reader.cancel().catch(() => {});
      const flowing = res.write(next.value);
      rec.responseChunk(next.value, at());
      if (!flowing) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
    rec.responseEnd(at());
  } catch {
    // The recorded stream was interrupted: cut the client where the recording was cut.
    rec.error(
      { source: 'upstream', code: 'recorded_interruption', message: 'recorded stream interrupted' },
      at(),
    );
    res.destroy();
  }
}
