import { describe, expect, test } from 'vitest';
import { createStreamCapture, type RouteInfo } from '../../../src/providers/index.ts';

const chatRoute: RouteInfo = {
  provider: 'openai' as const,
  endpoint: 'chat.completions',
  model: 'gpt-4o',
  stream: true,
  streamFormat: 'sse' as const,
};
const anthropicRoute = { ...chatRoute, provider: 'anthropic' as const, endpoint: 'messages' };
const enc = (s: string) => new TextEncoder().encode(s);

function run(route: RouteInfo, chunks: Uint8Array[]) {
  const capture = createStreamCapture(route);
  for (const chunk of chunks) capture.push(chunk, 5);
  return capture.finish();
}

describe('SSE parsing', () => {
  test('multi-line data:, comments, CRLF and event: names', () => {
    const wire =
      ': keep-alive comment\r\n' +
      'event: message_start\r\n' +
      'data: {"type":"message_start",\r\n' +
      'data: "message":{"id":"msg_1","content":[],"usage":{"input_tokens":1}}}\r\n\r\n' +
      'event: ping\r\ndata: {"type":"ping"}\r\n\r\n' +
      'event: message_stop\r\ndata: {"type":"message_stop"}\r\n\r\n';
    const result = run(anthropicRoute, [enc(wire)]);
    expect(result.events.map((e) => e.event)).toEqual(['message_start', 'ping', 'message_stop']);
    // The two data: lines join with "\n" and parse as one JSON object.
    expect(result.events[0]?.data).toMatchObject({ message: { id: 'msg_1' } });
    expect(result.state).toBe('completed');
    expect(result.diagnostics).toEqual([]);
  });

  test('a frame split inside a multi-byte UTF-8 character, byte by byte, still assembles exactly', () => {
    const wire = enc(
      'data: {"choices":[{"index":0,"delta":{"content":"naïve 👋 日本"}}]}\n\n' +
        'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
    );
    const bytes = [...wire].map((b) => Uint8Array.of(b));
    const result = run(chatRoute, bytes);
    expect(result.assembled.text).toBe('naïve 👋 日本');
    expect(result.events.at(-1)?.data).toBe('[DONE]');
    expect(result.state).toBe('completed');
  });

  test('CR split from LF across chunks is one line ending, not an empty line', () => {
    const parts = [
      'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\r',
      '\n',
      '\r',
      '\ndata: [DONE]\r\n\r\n',
    ];
    const result = run(chatRoute, parts.map(enc));
    expect(result.events.map((e) => e.data)).toEqual([
      { choices: [{ index: 0, delta: { content: 'a' } }] },
      '[DONE]',
    ]);
  });

  test('a malformed frame becomes a diagnostic naming the frame and its byte offset, and never throws', () => {
    const good = 'data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n';
    const wire = `${good}data: {"choices":[ oops\n\nnot-a-field\n\ndata: [DONE]\n\n`;
    const result = run(chatRoute, [enc(wire)]);
    expect(result.events).toHaveLength(3);
    expect(result.events[1]?.data).toBe('{"choices":[ oops');
    const frame = result.diagnostics.find((d) => d.frame === 1);
    expect(frame).toMatchObject({ frame: 1, byte_offset: enc(good).length });
    expect(frame?.message).toContain('malformed frame 1');
    const field = result.diagnostics.find((d) => d.message.includes('Unknown field'));
    expect(field?.byte_offset).toBe(enc(`${good}data: {"choices":[ oops\n\n`).length);
    expect(result.state).toBe('completed');
  });

  test('events keep their order, type and arrival offset', () => {
    const capture = createStreamCapture(anthropicRoute);
    const first = capture.push(enc('event: ping\ndata: {"type":"ping"}\n\nevent: message_st'), 3);
    const second = capture.push(enc('op\ndata: {"type":"message_stop"}\n\n'), 9);
    expect(first).toEqual([{ offset_ms: 3, event: 'ping', data: { type: 'ping' } }]);
    expect(second).toEqual([
      { offset_ms: 9, event: 'message_stop', data: { type: 'message_stop' } },
    ]);
    expect(capture.done).toBe(true);
  });

  test('an unterminated last frame is kept and reported; the stream is interrupted', () => {
    const result = run(chatRoute, [enc('data: {"choices":[{"index":0,"delta":{"content":"par')]);
    expect(result.events).toHaveLength(1);
    expect(result.state).toBe('interrupted');
    expect(result.diagnostics.map((d) => d.message).join('\n')).toMatch(/not terminated/);
  });
});
