/**
 * The agents' prompt normalisation as a property (issue 17): the same session sent on any day,
 * from any folder, with any HOME / CODEX_HOME, any shell, OS version, git branch and session ids,
 * is the same request for matching and for the canonical hash, through the real redactor (which
 * minimises the large prompt blocks into `$rk_blob`s). The prompt texts around the volatile parts
 * are random, so prompts we never recorded are covered, not only our fixtures. And a real change
 * to the prompt (a line of the instructions, the user's own words, a date or a path the user
 * typed) still diverges.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ModelRequest } from '../../../src/cassette/schema.ts';
import { normalizeRequest, normalizeStep } from '../../../src/providers/index.ts';
import { createRedactor, isBlobRef } from '../../../src/redaction/index.ts';
import {
  claudeRequest,
  codexRequest,
  day,
  machine,
  path,
  prompt,
} from '../../support/agent-prompts.ts';

const redactor = createRedactor({ env: {} });

/** As replay compares a request, and as the canonical hash sees it: after the redactor. */
function views(request: ModelRequest) {
  const stored = { ...redactor.step(request), index: 0 } as ModelRequest;
  const canonical = normalizeStep(stored) as ModelRequest;
  return { stored, compared: normalizeRequest(stored), canonical: canonical.body };
}

const AGENTS = { 'claude-code': claudeRequest, codex: codexRequest } as const;

describe.each(Object.entries(AGENTS))('%s prompts', (_agent, build) => {
  test('the same session on any day, folder, home and machine is the same request', () => {
    fc.assert(
      fc.property(prompt, machine, machine, (p, a, b) => {
        // Whether the folder is a git repository is the project's, not the machine's.
        const [x, y] = [views(build(a, p)), views(build({ ...b, git: a.git }, p))];
        // The large prompt blocks were minimised: it is their hashes that must agree.
        expect(JSON.stringify(x.stored)).toContain('"$rk_blob"');
        expect(x.compared).toEqual(y.compared);
        expect(x.canonical).toEqual(y.canonical);
      }),
      { numRuns: 60 },
    );
  });

  test('a changed line of the instructions still diverges', () => {
    fc.assert(
      fc.property(prompt, machine, fc.nat(), fc.lorem({ maxCount: 5 }), (p, m, at, line) => {
        const i = at % p.instructions.length;
        fc.pre(p.instructions[i] !== `${p.instructions[i]} ${line}`);
        const changed = p.instructions.with(i, `${p.instructions[i]} ${line}`);
        const [x, y] = [views(build(m, p)), views(build(m, { ...p, instructions: changed }))];
        expect(x.compared).not.toEqual(y.compared);
        expect(x.canonical).not.toEqual(y.canonical);
      }),
      { numRuns: 40 },
    );
  });

  test("the user's own words still diverge, dates and paths they typed included", () => {
    fc.assert(
      fc.property(prompt, machine, day, day, path, (p, m, d1, d2, dir) => {
        fc.pre(d1 !== d2);
        const user = (d: string, extra = '') => ({
          ...p,
          user: `${p.user} What changed in ${dir}${extra} since ${d}?`,
        });
        expect(views(build(m, user(d1))).compared).not.toEqual(views(build(m, user(d2))).compared);
        expect(views(build(m, user(d1))).compared).not.toEqual(
          views(build(m, user(d1, '/sub'))).compared,
        );
      }),
      { numRuns: 40 },
    );
  });
});

test('blobs keep the normalised hash and line hashes, never the text', () => {
  fc.assert(
    fc.property(prompt, machine, (p, m) => {
      const { stored } = views(claudeRequest(m, p));
      const text = JSON.stringify(stored);
      const blobs: unknown[] = [];
      const walk = (v: unknown): void => {
        if (isBlobRef(v)) blobs.push(v);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      walk(stored.body);
      expect(blobs.length).toBeGreaterThan(0);
      for (const b of blobs) {
        if (!isBlobRef(b)) continue;
        expect(b.$rk_blob.normalized).toMatch(/^[0-9a-f]{64}$/);
        expect(Object.values(b.$rk_blob.lines ?? {}).join('')).toMatch(/^([A-Za-z0-9_-]{8})+$/);
      }
      // The environment block's text is not in the file, only the prefix of its blob.
      expect(text).not.toContain(`Today's date is ${m.date}`);
    }),
    { numRuns: 30 },
  );
});
