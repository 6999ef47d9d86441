/**
 * The shared shape of synthetic answers (listener `--mode synthetic`, `synthetic_allowed`
 * fallbacks); each provider module builds its own bodies from these. They are loud by design: the
 * text says what it is, every response carries `x-replaykit-response-source: synthetic`, and every
 * recorded step `response_source: synthetic`.
 */
import { createHash } from 'node:crypto';
import type { ModelResponse, StreamEvent, StreamFormat } from '../cassette/schema.ts';

export const SYNTHETIC_TEXT =
  'This is a synthetic response from the ReplayKit listener: no provider was called.';
export const SOURCE_HEADER = 'x-replaykit-response-source';

function base(status: number, contentType: string): ModelResponse {
  return {
    type: 'model.response',
    index: 0,
    correlation_id: 'synthetic',
    provider: 'unknown',
    endpoint: '',
    offset_ms: 0,
    status,
    headers: { 'content-type': contentType, [SOURCE_HEADER]: 'synthetic' },
    response_source: 'synthetic',
  };
}

/** A whole JSON body. */
export function syntheticJson(body: unknown): ModelResponse {
  return { ...base(200, 'application/json'), body };
}

/**
 * A stream of events. `named`: SSE frames carry `event:` names (Responses, Anthropic); `done`:
 * an SSE stream ends with Chat Completions' `data: [DONE]`.
 */
export function syntheticEvents(
  format: StreamFormat,
  list: { event?: string; data: unknown }[],
  options: { named?: boolean; done?: boolean } = {},
): ModelResponse {
  const sse = format === 'sse';
  const type = sse || format === 'websocket' ? 'text/event-stream' : 'application/json';
  const evs: StreamEvent[] = list.map((e) => ({
    offset_ms: 0,
    ...(options.named && sse && e.event ? { event: e.event } : {}),
    data: e.data,
  }));
  if (options.done && sse) evs.push({ offset_ms: 0, data: '[DONE]' });
  return {
    ...base(200, type),
    ...(sse
      ? {
          headers: {
            'content-type': type,
            'cache-control': 'no-cache',
            [SOURCE_HEADER]: 'synthetic',
          },
        }
      : {}),
    stream: { format, state: 'completed', events: evs },
  };
}

/** A small deterministic embedding vector derived from a hex id. */
export function syntheticVector(id: string): number[] {
  return Array.from({ length: 8 }, (_, i) =>
    Number((Number.parseInt(id.slice(i * 2, i * 2 + 2), 16) / 255).toFixed(6)),
  );
}

/** The vector for one input value (each input of a batch gets its own). */
export function vectorOf(input: unknown): number[] {
  return syntheticVector(
    createHash('sha256')
      .update(JSON.stringify(input ?? ''))
      .digest('hex'),
  );
}
