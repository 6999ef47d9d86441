import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import type { StepInput } from '../../../src/cassette/schema.ts';
import {
  createRedactor,
  isBlobRef,
  minimize,
  minimizeAgentHeader,
  minimizeHeaders,
} from '../../../src/redaction/index.ts';

const INSTRUCTIONS = `You are Codex, a coding agent. ${'Follow the rules. '.repeat(200)}`;
const TOOLS = Array.from({ length: 30 }, (_, i) => ({
  type: 'function',
  name: `tool_${i}`,
  description: 'x'.repeat(100),
}));

test('large instructions and tool lists become a hash, a size and an 80-character prefix', () => {
  const out = minimize('openai', 'responses', {
    model: 'gpt-5',
    instructions: INSTRUCTIONS,
    tools: TOOLS,
    input: 'hi',
  }) as Record<string, unknown>;
  expect(out.instructions).toEqual({
    $rk_blob: {
      sha256: createHash('sha256').update(INSTRUCTIONS).digest('hex'),
      size: Buffer.byteLength(INSTRUCTIONS),
      prefix: INSTRUCTIONS.slice(0, 80),
    },
  });
  expect(isBlobRef(out.tools)).toBe(true);
  expect(out.model).toBe('gpt-5');
  expect(out.input).toBe('hi');
});

test('per provider: developer/system messages, anthropic system, gemini systemInstruction', () => {
  const big = 'z'.repeat(3000);
  const o = minimize('openai', 'chat.completions', {
    messages: [
      { role: 'system', content: big },
      { role: 'user', content: big },
    ],
  }) as { messages: { content: unknown }[] };
  expect(isBlobRef(o.messages[0]!.content)).toBe(true);
  expect(o.messages[1]!.content).toBe(big);
  const a = minimize('anthropic', 'messages', {
    system: [{ type: 'text', text: big }],
    messages: [],
  }) as { system: unknown };
  expect(isBlobRef(a.system)).toBe(true);
  const g = minimize('gemini', 'generateContent', {
    systemInstruction: { parts: [{ text: big }] },
    contents: [],
  }) as { systemInstruction: unknown };
  expect(isBlobRef(g.systemInstruction)).toBe(true);
});

test('small bodies, unknown providers and non-objects are returned untouched', () => {
  const small = { instructions: 'be brief', tools: [] };
  expect(minimize('openai', 'responses', small)).toEqual(small);
  expect(minimize('unknown', 'x', { instructions: 'y'.repeat(5000) })).toEqual({
    instructions: 'y'.repeat(5000),
  });
  expect(minimize('openai', 'responses', 'text')).toBe('text');
});

test('deterministic and idempotent: key order does not change the hash, minimising twice is a no-op', () => {
  const a = minimize('openai', 'responses', { tools: TOOLS.map((t) => ({ ...t })) });
  const b = minimize('openai', 'responses', {
    tools: TOOLS.map(({ description, name, type }) => ({ description, name, type })),
  });
  expect(a).toEqual(b);
  expect(minimize('openai', 'responses', a)).toEqual(a);
});

test('Codex turn metadata keeps its shape; workspace paths and ids are hashed', () => {
  const meta = JSON.stringify({
    installation_id: 'inst-123',
    cwd: '/home/alice/secret-project',
    turn_id: 't1',
    workspaces: [{ root: 'C:\\Users\\alice\\repo' }],
  });
  const out = JSON.parse(minimizeAgentHeader(meta));
  expect(JSON.stringify(out)).not.toMatch(/alice|inst-123/);
  expect(out.turn_id).toBe('t1');
  expect(out.cwd).toMatch(/^\[PATH:[0-9a-f]{6}\]$/);
  expect(out.installation_id).toMatch(/^\[HASH:[0-9a-f]{6}\]$/);
  expect(minimizeAgentHeader(meta)).toBe(minimizeAgentHeader(meta));
});

test('the header allowlist keeps what replay and debugging need and drops the rest', () => {
  const out = minimizeHeaders('openai', {
    'content-type': 'application/json',
    'x-request-id': 'req_1',
    'openai-processing-ms': '12',
    'x-ratelimit-remaining-requests': '99',
    authorization: 'Bearer [REDACTED:abcdef]',
    'content-encoding': 'gzip',
    'content-length': '123',
    date: 'Tue, 24 Nov 2026 10:00:00 GMT',
    'cf-ray': 'abc',
    'set-cookie': '__cf_bm=x',
  });
  expect(Object.keys(out).sort()).toEqual([
    'authorization',
    'content-type',
    'openai-processing-ms',
    'x-ratelimit-remaining-requests',
    'x-request-id',
  ]);
});

test('step() minimises in the default mode and keeps everything with capture full', () => {
  const req: StepInput = {
    type: 'model.request',
    correlation_id: 'c',
    offset_ms: 0,
    provider: 'openai',
    endpoint: 'responses',
    method: 'POST',
    url: '/v1/responses',
    transport: 'http',
    stream: true,
    headers: { 'x-codex-turn-metadata': JSON.stringify({ cwd: '/home/alice/p' }), 'cf-ray': 'x' },
    body: { instructions: INSTRUCTIONS, input: [] },
  };
  const min = createRedactor({ env: {} }).step(req);
  expect(JSON.stringify(min)).not.toContain('/home/alice');
  expect(isBlobRef((min.body as { instructions: unknown }).instructions)).toBe(true);
  expect(min.headers['cf-ray']).toBeUndefined();
  const full = createRedactor({ env: {}, capture: 'full' }).step(req);
  expect(full.body).toEqual(req.body);
  expect(full.headers).toEqual(req.headers);
});
