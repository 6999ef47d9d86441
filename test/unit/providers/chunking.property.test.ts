import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { StreamEvent } from '../../../src/cassette/schema.ts';
import { createStreamCapture, detectRoute, encodeStream } from '../../../src/providers/index.ts';
import { FIXTURE_SET, fixtureBytes, runFixture } from './fixtures.ts';

const streamed = Object.entries(FIXTURE_SET).filter(
  ([, fx]) => fx.kind === 'bytes' && !fx.file.endsWith('.json'),
);

/** Cut points as fractions of the length, so one arbitrary fits every fixture. */
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 });

function splitAt(bytes: Buffer, fractions: number[]): Uint8Array[] {
  const points = [...new Set(fractions.map((f) => Math.floor(f * bytes.length)))].sort(
    (a, b) => a - b,
  );
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(start, p));
    start = p;
  }
  return out;
}

describe('the same stream in any chunking gives the same assembly and steps', () => {
  for (const [name, fx] of streamed) {
    test(name, () => {
      const whole = runFixture(fx).steps;
      fc.assert(
        fc.property(cuts, (fractions) => {
          expect(runFixture(fx, (bytes) => splitAt(bytes, fractions)).steps).toEqual(whole);
        }),
        { numRuns: 60 },
      );
    });
  }

  test('one byte at a time', () => {
    for (const [, fx] of streamed) {
      const bytewise = (b: Buffer) => [...b].map((x) => Uint8Array.of(x));
      expect(runFixture(fx, bytewise).steps).toEqual(runFixture(fx).steps);
    }
  });
});

describe('replay encoders are the inverse of the capture', () => {
  function capture(fxName: string) {
    const fx = FIXTURE_SET[fxName]!;
    const route = detectRoute({
      method: fx.method,
      url: fx.url,
      headers: fx.headers ?? {},
      body: fx.body,
    })!;
    const c = createStreamCapture(route);
    c.push(fixtureBytes(fx.file), 0);
    return { route, result: c.finish() };
  }
  const strip = (events: StreamEvent[]) => events.map(({ offset_ms: _, ...rest }) => rest);

  for (const [name] of streamed) {
    test(`${name}: encode, re-chunk and capture again gives identical events`, () => {
      const { route, result } = capture(name);
      const wire = Buffer.from(
        encodeStream(route.streamFormat!, result.events, {
          complete: result.state !== 'interrupted',
        }).join(''),
      );
      fc.assert(
        fc.property(cuts, (fractions) => {
          const again = createStreamCapture(route);
          for (const chunk of splitAt(wire, fractions)) again.push(chunk, 0);
          const replayed = again.finish({ aborted: result.state === 'interrupted' });
          expect(strip(replayed.events)).toEqual(strip(result.events));
          expect(replayed.assembled).toEqual(result.assembled);
          expect(replayed.state).toBe(result.state);
        }),
        { numRuns: 30 },
      );
    });
  }

  test('arbitrary events (odd strings, names, ids) survive SSE encoding and capture', () => {
    const route = detectRoute({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: {},
      body: { stream: true },
    })!;
    const token = fc
      .string({ unit: 'grapheme', maxLength: 12 })
      .filter((s) => !/[\r\n]/.test(s) && s.trim() === s && s !== '');
    const event = fc.record(
      {
        event: token,
        id: token,
        data: fc.oneof(
          fc.jsonValue(),
          fc.string({ unit: 'grapheme' }).map((s) => s.replace(/\r/g, '')),
        ),
      },
      { requiredKeys: ['data'] },
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), cuts, (events, fractions) => {
        const recorded = events.map((e) => ({ offset_ms: 0, ...e }));
        const wire = Buffer.from(encodeStream('sse', recorded).join(''));
        const c = createStreamCapture(route);
        for (const chunk of splitAt(wire, fractions)) c.push(chunk, 0);
        const normalized = JSON.parse(JSON.stringify(recorded));
        expect(c.finish().events).toEqual(normalized);
      }),
      { numRuns: 200 },
    );
  });
});

test('WebSocket frames: encoding recorded events and capturing them again gives identical events', () => {
  const fx = FIXTURE_SET['openai responses tools (WebSocket)']!;
  const { steps } = runFixture(fx);
  const response = steps.find((s) => s.type === 'model.response');
  if (response?.type !== 'model.response' || !response.stream) throw new Error('no stream');
  const route = detectRoute({
    method: 'GET',
    url: '/v1/responses',
    headers: { upgrade: 'websocket' },
  })!;
  const again = createStreamCapture(route);
  for (const frame of encodeStream('websocket', response.stream.events)) again.pushFrame(frame, 1);
  const result = again.finish();
  expect(result.events).toEqual(response.stream.events);
  expect(result.assembled).toEqual(response.assembled);
});
