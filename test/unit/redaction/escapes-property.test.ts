/**
 * Issue 14 item 1, as properties: real-looking keys, tokens and e-mails planted at random places
 * in nested JSON held in strings (one and two levels, every escape kind), whole or split across
 * stream deltas at random points. None may survive redaction, the result must stay valid JSON at
 * every level, and the detectors (what `replaypack scan` runs) must find each one in the raw line.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createRedactor, detectSecrets } from '../../../src/redaction/index.ts';
import { leaked, parseDeep, plantedDoc, splitAt } from '../../support/planted.ts';
import { DELTA_SHAPES } from './shapes.ts';

const r = createRedactor({ env: {} });

test('a body holding nested JSON: nothing planted survives, and every level still parses', () => {
  fc.assert(
    fc.property(plantedDoc(), (doc) => {
      const out = r.value({ type: 'function_call_output', output: doc.json });
      const written = JSON.stringify(out);
      expect(leaked(written, doc.planted).map((p) => p.detector)).toEqual([]);
      expect(() => parseDeep(out)).not.toThrow();
    }),
    { numRuns: 300 },
  );
});

test('the detectors find every planted secret in the raw cassette line, at its place', () => {
  fc.assert(
    fc.property(plantedDoc(), (doc) => {
      const line = JSON.stringify({ type: 'tool.response', output: doc.json });
      const found = detectSecrets(line, { env: {} });
      for (const p of doc.planted) {
        for (let at = line.indexOf(p.secret); at !== -1; at = line.indexOf(p.secret, at + 1)) {
          const covered = found.some((f) => f.start <= at && f.end >= at + p.secret.length);
          expect({ detector: p.detector, covered }).toEqual({
            detector: p.detector,
            covered: true,
          });
        }
      }
    }),
    { numRuns: 300 },
  );
});

describe.each(DELTA_SHAPES)('stream: $name', (shape) => {
  const splitProperty = (parameters: { numRuns: number; seed?: number }) =>
    fc.assert(
      fc.property(plantedDoc(3), fc.array(fc.nat(), { maxLength: 40 }), (doc, cuts) => {
        const s = r.stream();
        const pieces = splitAt(doc.json, cuts);
        const out = [...pieces.flatMap((p, i) => s.push(shape.make(p, i))), ...s.flush()];
        expect(leaked(JSON.stringify(out), doc.planted).map((p) => p.detector)).toEqual([]);
        const joined = out.map((e) => shape.read(e)).join('');
        expect(joined).toBe(r.text(doc.json));
        expect(() => parseDeep(joined)).not.toThrow();
      }),
      parameters,
    );

  test('split at random points: no event carries a planted secret, the deltas join to valid JSON equal to the redacted whole', () => {
    splitProperty({ numRuns: 60 });
  });

  // The seed that found a window edge read as a token's end: a Google key then `\/` in a text
  // holding an AWS key id took the 40-character AWS-secret shape `AIza…A/` while the rest of the
  // text had not arrived, and the stream kept that wider span (CI, 2026-12-01).
  test('split at random points, the seed that found an over-wide span at a window edge', () => {
    splitProperty({ numRuns: 60, seed: -53053139 });
  });
});
