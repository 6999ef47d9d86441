import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalHash, canonicalSteps } from '../../../src/cassette/canonical.ts';
import { readCassette } from '../../../src/cassette/reader.ts';
import type { Step } from '../../../src/cassette/schema.ts';
import { hashSteps } from '../../../src/pipeline/canonical.ts';
import { header, tempDir } from './fixtures.ts';

// JSON values as they come back from a file: no undefined, no -0 (JSON cannot tell it from 0).
const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const base = {
  correlation_id: fc.constantFrom('a', 'b', 'c', 'd'),
  request_id: fc.option(fc.string(), { nil: undefined }),
  provider: fc.constantFrom('openai', 'anthropic', 'gemini', 'unknown'),
  endpoint: fc.constantFrom('responses', 'messages', 'chat.completions'),
  offset_ms: fc.nat(),
} as const;
const headers = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string(), {
  maxKeys: 4,
});

const modelRequest = fc.record({
  type: fc.constant('model.request' as const),
  ...base,
  method: fc.constantFrom('POST', 'GET'),
  url: fc.constantFrom('/v1/responses', '/v1/messages?beta=true'),
  transport: fc.constantFrom('http' as const, 'websocket' as const),
  stream: fc.boolean(),
  model: fc.option(fc.string(), { nil: null }),
  headers,
  body: json,
});
const modelResponse = fc.record({
  type: fc.constant('model.response' as const),
  ...base,
  status: fc.integer({ min: 100, max: 599 }),
  headers,
  stream: fc.record({
    format: fc.constantFrom('sse' as const, 'websocket' as const),
    state: fc.constantFrom('completed' as const, 'interrupted' as const, 'error' as const),
    events: fc.array(
      fc.record(
        { offset_ms: fc.nat(), event: fc.string(), data: json },
        { requiredKeys: ['offset_ms', 'data'] },
      ),
      { maxLength: 4 },
    ),
  }),
  assembled: fc.record({
    text: fc.string(),
    tool_calls: fc.array(
      fc.record({
        id: fc.option(fc.string(), { nil: null }),
        name: fc.string(),
        arguments: json,
        kind: fc.constant('function'),
      }),
      { maxLength: 2 },
    ),
    stop_reason: fc.option(fc.string(), { nil: null }),
  }),
});
const toolResponse = fc.record({
  type: fc.constant('tool.response' as const),
  ...base,
  call_id: fc.option(fc.string(), { nil: null }),
  kind: fc.constant('function'),
  output: json,
  is_error: fc.boolean(),
});
const agentEvent = fc.record({
  type: fc.constant('agent.event' as const),
  ...base,
  agent: fc.constantFrom('codex', 'claude'),
  event: json,
});
const steps = fc
  .array(fc.oneof(modelRequest, modelResponse, toolResponse, agentEvent), {
    minLength: 1,
    maxLength: 6,
  })
  .map((list) => list.map((s, index) => JSON.parse(JSON.stringify({ ...s, index })) as Step));

/** Rebuilds every object with its keys in an order picked by `seed`, at every depth. */
function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v, i) => shuffleKeys(v, seed + i));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  let s = seed;
  for (let i = keys.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  // fromEntries, not assignment: fast-check likes keys such as "__proto__".
  return Object.fromEntries(
    keys.map((k) => [k, shuffleKeys((value as Record<string, unknown>)[k], s + k.length)]),
  );
}

type Path = (string | number)[];
const VOLATILE = new Set(['offset_ms', 'request_id', 'correlation_id']);
/** Paths of every primitive leaf that is not a volatile field. */
function leaves(value: unknown, path: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [path];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  return entries.flatMap(([k, v]) => {
    const volatile =
      typeof k === 'string' && VOLATILE.has(k) && (path.length === 0 || path.at(-2) === 'events');
    return volatile ? [] : leaves(v, [...path, k]);
  });
}
function changed(v: unknown): unknown {
  if (typeof v === 'string') return `${v}x`;
  // Negation, not +1: a large integer plus 1 can round back to itself.
  if (typeof v === 'number') return v === 0 ? 1 : -v;
  if (typeof v === 'boolean') return !v;
  return 'was null';
}
function setAt(root: unknown, path: Path, next: unknown): void {
  let target = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) target = target[k] as Record<string | number, unknown>;
  target[path.at(-1)!] = next;
}

describe('canonical hash', () => {
  test('is invariant under key reordering at every depth', () => {
    fc.assert(
      fc.property(steps, fc.nat(), (list, seed) => {
        const shuffled = list.map((s, i) => shuffleKeys(s, seed + i) as Step);
        expect(canonicalHash(shuffled)).toBe(canonicalHash(list));
      }),
    );
  });

  test('ignores offsets, request ids and the spelling of correlation ids', () => {
    fc.assert(
      fc.property(steps, fc.nat(), fc.string({ minLength: 1 }), (list, shift, prefix) => {
        const moved = list.map((s) => {
          const copy = structuredClone(s) as Step & { request_id?: string | null };
          copy.offset_ms += shift;
          copy.request_id = `${prefix}-${shift}`;
          // A consistent renaming: the same ids still tie the same steps together.
          copy.correlation_id = `${prefix}:${s.correlation_id}`;
          if (copy.type === 'model.response')
            for (const e of copy.stream?.events ?? []) e.offset_ms += shift + 7;
          return copy;
        });
        expect(canonicalHash(moved)).toBe(canonicalHash(list));
      }),
    );
  });

  test('changes when any non-volatile leaf changes', () => {
    fc.assert(
      fc.property(steps, fc.nat(), fc.nat(), (list, which, pick) => {
        const i = which % list.length;
        const paths = leaves(list[i]);
        const path = paths[pick % paths.length]!;
        const edited = structuredClone(list);
        let leaf: unknown = edited[i];
        for (const k of path) leaf = (leaf as Record<string | number, unknown>)[k];
        setAt(edited[i], path, changed(leaf));
        expect(canonicalHash(edited)).not.toBe(canonicalHash(list));
      }),
      { numRuns: Number(process.env.RK_RUNS ?? 100) },
    );
  });

  test('changes when steps that shared a correlation id no longer do', () => {
    const a = {
      type: 'agent.event',
      index: 0,
      correlation_id: 'x',
      provider: 'openai',
      endpoint: 'e',
      offset_ms: 0,
      agent: 'codex',
      event: 1,
    } as Step;
    const b = { ...a, index: 1 };
    expect(canonicalHash([a, { ...b, correlation_id: 'y' }])).not.toBe(canonicalHash([a, b]));
  });

  test('the canonical form keeps index and drops offsets, request ids and raw correlation ids', () => {
    const [step] = canonicalSteps([
      {
        type: 'agent.event',
        index: 3,
        correlation_id: 'abc',
        request_id: 'r',
        provider: 'openai',
        endpoint: 'e',
        offset_ms: 9,
        agent: 'codex',
        event: { z: 1 },
      },
    ]);
    expect(step).toEqual({
      type: 'agent.event',
      index: 3,
      correlation_id: 0,
      provider: 'openai',
      endpoint: 'e',
      agent: 'codex',
      event: { z: 1 },
    });
  });

  test('a provider normaliser sees a copy and its removals count', () => {
    const list = [
      {
        type: 'agent.event',
        index: 0,
        correlation_id: 'x',
        provider: 'openai',
        endpoint: 'e',
        offset_ms: 0,
        agent: 'codex',
        event: { date: 'today', ok: 1 },
      },
    ] as Step[];
    const other = structuredClone(list);
    (other[0] as { event: { date: string } }).event.date = 'tomorrow';
    const dropDate = (s: Step) => {
      if (s.type === 'agent.event') delete (s.event as { date?: string }).date;
      return s;
    };
    expect(canonicalHash(other, dropDate)).toBe(canonicalHash(list, dropDate));
    expect(canonicalHash(other)).not.toBe(canonicalHash(list));
    expect((list[0] as { event: { date?: string } }).event.date).toBe('today');
  });

  test('pipeline hashSteps is the hash the reader computes', () => {
    const list = [
      {
        type: 'agent.event',
        index: 0,
        correlation_id: 'x',
        provider: 'openai',
        endpoint: 'e',
        offset_ms: 0,
        agent: 'codex',
        event: 1,
      },
    ] as Step[];
    expect(hashSteps(list)).toBe(canonicalHash(list));
  });

  test('is the same for a file written with shuffled keys and CRLF as for the steps themselves', async () => {
    await fc.assert(
      fc.asyncProperty(steps, fc.nat(), fc.boolean(), async (list, seed, crlf) => {
        const lines = [header, ...list].map((s, i) => JSON.stringify(shuffleKeys(s, seed + i)));
        const path = join(tempDir(), 'p.rpk');
        writeFileSync(path, lines.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n'));
        const read = await readCassette(path);
        expect(read.sha256).toBe(canonicalHash(list));
      }),
      { numRuns: 40 },
    );
  });
});
