/**
 * Feeds what the stub engine serves back through the shared capture pipeline, exactly as the
 * recorder feeds live traffic: status and headers, then the body's bytes as the client reads them
 * (or one text frame per WebSocket event). Parity compares what comes out with the cassette, so
 * the serve path, the stream encoders and the providers' stream capture are all under test.
 */
import type { ModelResponse } from '../cassette/schema.ts';
import type { ExchangeCapture } from '../pipeline/capture.ts';
import type { RecordedExchange } from './matcher.ts';
import { textFrames } from './serve.ts';

/** What the replay engine answers for one recorded exchange, as serve options. */
export function serveOptionsOf(exchange: RecordedExchange): { truncated: boolean } {
  const cut = exchange.failure?.code === 'E_UPSTREAM_ABORTED';
  return { truncated: cut && exchange.response !== undefined && !exchange.response.streamed };
}

export async function feedResponse(
  capture: ExchangeCapture,
  recorded: ModelResponse,
  body: ReadableStream<Uint8Array> | null,
): Promise<void> {
  capture.head(recorded.status, recorded.headers);
  if (recorded.stream?.format === 'websocket') {
    // A WebSocket turn is frames, not bytes: the stub sends each recorded event as one frame.
    await body?.cancel().catch(() => undefined);
    for (const frame of textFrames(recorded.stream)) capture.frame(frame);
    capture.end({ aborted: recorded.stream.state === 'interrupted' });
    return;
  }
  if (!body) {
    capture.end();
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      capture.chunk(next.value);
    }
    capture.end();
  } catch {
    capture.end({ aborted: true });
  }
}

/** The recorded failure of an exchange that got no response at all. */
export function feedFailure(capture: ExchangeCapture, exchange: RecordedExchange): void {
  capture.fail(
    exchange.failure?.code ?? 'E_NO_RESPONSE',
    exchange.failure?.message ?? 'The request got no response.',
  );
}
