import fc from 'fast-check';
import stableStringify from 'fast-json-stable-stringify';
import { describe, expect, test } from 'vitest';
import type { ModelRequest } from '../../../src/cassette/schema.ts';
import { normalizeRequest, requestSteps } from '../../../src/providers/index.ts';
import { FIXTURE_SET } from './fixtures.ts';

// The matcher keys requests by `normalizeRequest.fingerprint` when it can; a replay only matches
// as before if that is exactly the text of the normalised view it stands in for.
const slow = (r: ModelRequest) => stableStringify(normalizeRequest(r));
const fast = normalizeRequest.fingerprint;

function request(body: unknown, overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    type: 'model.request',
    index: 0,
    correlation_id: 'c',
    provider: 'openai',
    endpoint: 'responses',
    offset_ms: 0,
    method: 'post',
    url: '/v1/responses?b=2&key=secret&a=1',
    transport: 'http',
    stream: true,
    model: 'gpt-5.1',
    headers: {},
    ...(body === undefined ? {} : { body }),
    ...overrides,
  };
}

describe('normalizeRequest.fingerprint', () => {
  test('is the normalised view as text for every provider fixture request', () => {
    for (const fx of Object.values(FIXTURE_SET)) {
      const { steps } = requestSteps(
        {
          method: fx.method,
          url: fx.url,
          headers: fx.headers ?? {},
          body: fx.body === undefined ? null : Buffer.from(JSON.stringify(fx.body)),
          transport: fx.kind === 'ws' ? 'websocket' : 'http',
        },
        { correlation_id: 'c', offset_ms: 0 },
      );
      const live = { ...steps.at(-1), index: 0 } as ModelRequest;
      expect(fast(live)).toBe(slow(live));
    }
  });

  test('replaces volatile fields and sorts keys as the view does', () => {
    const body = {
      z: 1,
      prompt_cache_key: 'per-session',
      input: [{ encrypted_content: 'x', id: 'a', b: [1, -0, 1e21, 0.1] }, 'plain', null],
      messages: [{ content: [{ signature: { nested: true } }, { text: 'é' }] }],
      contents: [{ parts: [{ thoughtSignature: 's', text: 't' }] }],
      '10': 'numeric key',
      '9': true,
      '': 'empty key',
    };
    expect(fast(request(body))).toBe(slow(request(body)));
    expect(fast(request(body))).toContain('"prompt_cache_key":"<volatile>"');
  });

  test('agrees without a body, with a text or binary body, and for agents', () => {
    const cases = [
      request(undefined),
      request(undefined, { body_text: 'hello' }),
      request(undefined, { body_base64: 'AAE=' }),
      request([1, 'two', { prompt_cache_key: 'k' }]),
      request('just a string'),
      request({ input: [] }, { headers: { originator: 'codex_exec' } }),
      request({ system: 'x-anthropic-billing-header: cc_version=1', messages: [] }),
      request({ a: 1 }, { model: null, url: 'not a url at all %%' }),
    ];
    for (const r of cases) expect(fast(r)).toBe(slow(r));
  });

  test('drops a body key named __proto__, as the normalised copy always has', () => {
    const body = JSON.parse('{"a":1,"__proto__":{"b":2},"input":[{"__proto__":"x","id":1}]}');
    expect(fast(request(body))).toBe(slow(request(body)));
  });

  test('agrees on arbitrary JSON bodies shaped like provider requests', () => {
    const key = fc.constantFrom(
      'input',
      'messages',
      'contents',
      'parts',
      'content',
      'signature',
      'thoughtSignature',
      'encrypted_content',
      'prompt_cache_key',
      'id',
      'text',
      'a',
    );
    const { json } = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()),
        fc.constant(null),
        fc.array(tie('json'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(key, fc.string()), tie('json'), { maxKeys: 5 }),
      ),
    }));
    fc.assert(
      fc.property(json, (body) => {
        // Through JSON text, as every request body arrives.
        const parsed = JSON.parse(JSON.stringify(body));
        expect(fast(request(parsed))).toBe(slow(request(parsed)));
      }),
      { numRuns: 500 },
    );
  });
});
