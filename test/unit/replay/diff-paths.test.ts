/**
 * Issue 17 reported `- body.messages[1].output_config: {"effort":"medium"}` as a wrong path
 * prefix. On the wire, Claude Code 2.1.330 sends `output_config` twice: at the body's top level
 * and inside its mid-conversation system message, `messages[1]` (seen with the fake upstream's
 * received body), so that line was right. What must hold, for any two JSON values: every path a
 * diff line names leads, on its side, to the value the line shows.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { differences, structuralDiff } from '../../../src/replay/diff.ts';

function resolve(root: unknown, path: string): unknown {
  let node = root;
  for (const m of path.matchAll(/\[(\d+)\]|(?:^|\.)([A-Za-z_$][\w$]*)|\[("(?:[^"\\]|\\.)*")\]/g)) {
    const key = m[1] !== undefined ? Number(m[1]) : (m[2] ?? (JSON.parse(m[3]!) as string));
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

const body = fc.record({
  messages: fc.array(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })), {
    maxLength: 3,
  }),
  output_config: fc.option(fc.record({ effort: fc.constantFrom('low', 'medium', 'high') })),
  extra: fc.jsonValue({ maxDepth: 3 }),
});

test('every diff path leads to the value it shows, on its own side', () => {
  fc.assert(
    fc.property(body, body, (a, b) => {
      const expected = { body: a };
      const actual = { body: b };
      for (const d of differences(expected, actual)) {
        if (d.path === '(root)') continue;
        expect(resolve(expected, d.path)).toEqual(d.expected);
        expect(resolve(actual, d.path)).toEqual(d.actual);
      }
      for (const line of structuralDiff(expected, actual, 100)) {
        const m = /^([-+]) (.*?): (.*)$/.exec(line);
        if (!m) continue;
        const side = m[1] === '-' ? expected : actual;
        expect(resolve(side, m[2]!)).not.toBeUndefined();
      }
    }),
    { numRuns: 300 },
  );
});

test('a top-level field is reported at the top level, a message field in its message', () => {
  const recorded = {
    body: { messages: [{ role: 'user' }, { role: 'system', output_config: { effort: 'medium' } }] },
  };
  const live = { body: { messages: [{ role: 'user' }, { role: 'system' }], output_config: {} } };
  expect(structuralDiff(recorded, live)).toEqual([
    '- body.messages[1].output_config: {"effort":"medium"}',
    '+ body.output_config: {}',
  ]);
});
