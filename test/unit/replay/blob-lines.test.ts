/**
 * Issue 17 item 2: a divergence inside a minimised blob names the lines that changed, with their
 * line numbers and the live side's text (redacted), instead of two hashes. Through the real
 * redactor, the real matcher and the real report; any line of random prompts.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ModelRequest, ModelResponse, Step } from '../../../src/cassette/schema.ts';
import { normalizeRequest } from '../../../src/providers/index.ts';
import { createRedactor } from '../../../src/redaction/index.ts';
import { ReplayDivergenceError } from '../../../src/replay/divergence.ts';
import { redactLive } from '../../../src/replay/live.ts';
import { ReplayMatcher } from '../../../src/replay/matcher.ts';
import { claudeRequest, machine, prompt } from '../../support/agent-prompts.ts';

const redactor = createRedactor({ env: {} });

function recorded(request: ModelRequest): Step[] {
  const response: ModelResponse = {
    type: 'model.response',
    index: 1,
    correlation_id: 'c',
    offset_ms: 0,
    provider: request.provider,
    endpoint: request.endpoint,
    status: 200,
    headers: {},
    body: { id: 'msg_1', content: [] },
  };
  return [{ ...redactor.step(request), index: 0 }, response];
}

/** The report a replay of `live` against a recording of `before` gives. */
function report(before: ModelRequest, live: ModelRequest): string {
  const matcher = new ReplayMatcher('agent.rpk', recorded(before), normalizeRequest);
  const result = matcher.take(redactLive(redactor, live));
  if (result.ok) throw new Error('expected a divergence');
  return new ReplayDivergenceError(result.divergence).message;
}

describe('the blob line diff', () => {
  test('names the changed line of a minimised block, with its number and live text', () => {
    fc.assert(
      fc.property(prompt, machine, machine, fc.nat(), (p, a, b, at) => {
        // Lines 0-39 go to the environment block (messages[1]), 40+ to system[2].
        const i = 40 + (at % (p.instructions.length - 40));
        const line = `- Always answer in French (rule ${at}).`;
        const changed = p.instructions.with(i, line);
        // Another day, another folder: only the changed line is reported.
        const text = report(
          claudeRequest(a, p),
          claudeRequest({ ...b, git: a.git }, { ...p, instructions: changed }),
        );
        // system[2].text is "\n" + instructions 40.. : line numbers count from 1.
        expect(text).toContain(
          `~ system[2].text line ${i - 40 + 2} changed: ${JSON.stringify(line)}`,
        );
        expect(text.match(/^ {4}~ /gm)).toHaveLength(1);
        // Not two hashes: no diff line is about the blob's fields.
        expect(text).not.toMatch(/^ {4}[-+] .*\$rk_blob/m);
      }),
      { numRuns: 40 },
    );
  });

  test('an added line, and a secret on it redacted', () => {
    fc.assert(
      fc.property(prompt, machine, (p, m) => {
        const secret = 'sk-proj-Zx81bQ7LmN2pR5tV9wY3cF6hJ0kA4dE8';
        const added = [
          ...p.instructions.slice(0, 10),
          `- Use the key ${secret}.`,
          ...p.instructions.slice(10),
        ];
        const text = report(claudeRequest(m, p), claudeRequest(m, { ...p, instructions: added }));
        // The environment block: 7 lines about the machine, a blank line, then the instructions.
        expect(text).toMatch(
          /~ messages\[1\]\.content\[0\]\.text line 19 (added|changed): "- Use the key \[REDACTED/,
        );
        expect(text).not.toContain(secret);
      }),
      { numRuns: 20 },
    );
  });

  test('a removed line is told by its place, its text being nowhere', () => {
    fc.assert(
      fc.property(prompt, machine, (p, m) => {
        const fewer = p.instructions.toSpliced(50, 1);
        const text = report(claudeRequest(m, p), claudeRequest(m, { ...p, instructions: fewer }));
        expect(text).toContain('~ system[2].text: 1 recorded line removed');
      }),
      { numRuns: 20 },
    );
  });
});
