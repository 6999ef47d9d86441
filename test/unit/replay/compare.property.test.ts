/**
 * Parity pairs exchanges, it does not compare file positions (issue 13, symptom 1). Traces are
 * built as the pipeline writes them: each exchange's request when it begins, its response when it
 * ends, in time order, so concurrent exchanges interleave. Any replay that keeps the order the
 * recording shows (an exchange that ended before another began comes first) and any interleaving
 * of the rest compares equal; breaking that order, or changing a step, does not.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { alignTraces, compareTraces } from '../../../src/replay/compare.ts';
import { traceExchanges, traceHash } from '../../../src/replay/trace.ts';

interface Spec {
  prompt: string;
  answer: string;
  began: number;
  ended: number;
}

/** The steps of `specs`, written in time order (ties: requests first), with fresh ids. */
function stepsOf(specs: Spec[], ids: string[], times: (s: Spec, i: number) => [number, number]) {
  const events = specs.flatMap((spec, i) => {
    const [began, ended] = times(spec, i);
    return [
      { at: began, order: 0, i, step: request(spec, ids[i]!, began) },
      { at: ended, order: 1, i, step: response(spec, ids[i]!, ended) },
    ];
  });
  events.sort((a, b) => a.at - b.at || a.order - b.order || a.i - b.i);
  return events.map((e, index) => ({ ...e.step, index }) as Step);
}

function request(spec: Spec, id: string, at: number) {
  return {
    type: 'model.request',
    correlation_id: id,
    offset_ms: at,
    provider: 'openai',
    endpoint: 'chat.completions',
    method: 'POST',
    url: '/v1/chat/completions',
    transport: 'http',
    stream: false,
    model: 'gpt-4o-mini',
    headers: { 'content-type': 'application/json' },
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: spec.prompt }] },
  };
}

function response(spec: Spec, id: string, at: number) {
  return {
    type: 'model.response',
    correlation_id: id,
    offset_ms: at,
    provider: 'openai',
    endpoint: 'chat.completions',
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: { choices: [{ index: 0, message: { role: 'assistant', content: spec.answer } }] },
  };
}

/** Exchanges with random overlaps: some prompts repeat (identical concurrent requests). */
const recording = fc
  .array(
    fc.record({
      prompt: fc.constantFrom('a', 'b', 'c'),
      began: fc.integer({ min: 0, max: 50 }),
      length: fc.integer({ min: 1, max: 30 }),
    }),
    { minLength: 1, maxLength: 7 },
  )
  .map((xs) =>
    xs.map(
      (x, i): Spec => ({
        prompt: x.prompt,
        answer: `answer ${i}`,
        began: x.began,
        ended: x.began + x.length,
      }),
    ),
  );

/** Recorded exchange `i` precedes `j`: it ended before `j` began. */
const precedes = (specs: Spec[], i: number, j: number) => specs[i]!.ended < specs[j]!.began;

/** A replay order that keeps what the recording orders, picked by `seed` among the rest. */
function replayOrder(specs: Spec[], seed: number[]): number[] {
  const left = specs.map((_, i) => i);
  const out: number[] = [];
  for (let k = 0; left.length > 0; k++) {
    const ready = left.filter((j) => left.every((i) => i === j || !precedes(specs, i, j)));
    const pick = ready[(seed[k % seed.length] ?? 0) % ready.length]!;
    out.push(pick);
    left.splice(left.indexOf(pick), 1);
  }
  return out;
}

/** Replays `order`: each exchange begins after the previous began, with random durations. */
function replay(specs: Spec[], order: number[], durations: number[]) {
  const ids = specs.map((_, i) => `replayed-${i}`);
  const start = new Map(order.map((i, k) => [i, k * 10]));
  const steps = stepsOf(specs, ids, (_, i) => {
    const began = start.get(i)!;
    return [began, began + 1 + (durations[i % durations.length] ?? 0)];
  });
  const served = new Map(ids.map((id, i) => [id, `recorded-${i}`]));
  return { steps, served };
}

const recordedSteps = (specs: Spec[]) =>
  stepsOf(
    specs,
    specs.map((_, i) => `recorded-${i}`),
    (s) => [s.began, s.ended],
  );

test('any interleaving that keeps the recorded order compares equal, with the same hash', () => {
  fc.assert(
    fc.property(
      recording,
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 8 }),
      (specs, seed, durations) => {
        const recorded = traceExchanges(recordedSteps(specs));
        const { steps, served } = replay(specs, replayOrder(specs, seed), durations);
        const replayed = traceExchanges(steps);
        const options = { cassette: 'c.rpk', against: 'run', served };
        expect(compareTraces(recorded, replayed, options)).toBeNull();
        const aligned = alignTraces(recorded, replayed, served);
        expect(traceHash(aligned.actual)).toBe(traceHash(aligned.expected));
      },
    ),
  );
});

test('without a served map (two files), exchanges that sent the same request pair up in order', () => {
  fc.assert(
    fc.property(recording, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (specs, seed) => {
      // Identical prompts got the same answer in both files: a second recording of the same run.
      const same = specs.map((s) => ({ ...s, answer: `answer to ${s.prompt}` }));
      const { steps } = replay(same, replayOrder(same, seed), [3]);
      const found = compareTraces(traceExchanges(recordedSteps(same)), traceExchanges(steps), {
        cassette: 'a.rpk',
        against: 'b.rpk',
      });
      expect(found).toBeNull();
    }),
  );
});

test('an exchange that begins before one the recording shows ended before it is an order divergence', () => {
  fc.assert(
    fc.property(recording, (specs) => {
      const pairs = specs.flatMap((_, i) =>
        specs.flatMap((__, j) => (precedes(specs, i, j) ? [[i, j] as const] : [])),
      );
      fc.pre(pairs.length > 0);
      const [i, j] = pairs[0]!;
      // j first, then everything else in the recorded order.
      const order = [j, ...replayOrder(specs, [0]).filter((k) => k !== j)];
      expect(order.indexOf(j)).toBeLessThan(order.indexOf(i));
      const { steps, served } = replay(specs, order, [0]);
      const found = compareTraces(traceExchanges(recordedSteps(specs)), traceExchanges(steps), {
        cassette: 'c.rpk',
        against: 'run',
        served,
      });
      expect(found).toMatchObject({ kind: 'step', difference: { path: 'order' } });
    }),
  );
});

test('a changed answer in any exchange diverges at its JSON path, whatever the interleaving', () => {
  fc.assert(
    fc.property(
      recording,
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      (specs, seed, which) => {
        const k = which % specs.length;
        const changed = specs.map((s, i) => (i === k ? { ...s, answer: `${s.answer}!` } : s));
        const { steps, served } = replay(changed, replayOrder(specs, seed), [5]);
        const found = compareTraces(traceExchanges(recordedSteps(specs)), traceExchanges(steps), {
          cassette: 'c.rpk',
          against: 'run',
          served,
        });
        expect(found).toMatchObject({
          kind: 'step',
          step: 'model.response',
          difference: {
            path: 'body.choices[0].message.content',
            expected: specs[k]!.answer,
            actual: `${specs[k]!.answer}!`,
          },
        });
      },
    ),
  );
});
