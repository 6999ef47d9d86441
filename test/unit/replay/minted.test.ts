/**
 * Client-minted values (issue 13, symptom 3): ids that look random and that no earlier recorded
 * response held are bound recorded → live, one to one, instead of compared; every other value
 * is still compared, and a change of one diverges at its JSON path.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ModelRequest, ModelResponse, Step } from '../../../src/cassette/schema.ts';
import { normalizeRequest } from '../../../src/providers/index.ts';
import { type MatchResult, ReplayMatcher } from '../../../src/replay/matcher.ts';
import { looksMinted } from '../../../src/replay/minted.ts';

type Shape = 'gemini' | 'chat' | 'responses' | 'anthropic';
const ROUTES: Record<Shape, { provider: ModelRequest['provider']; endpoint: string; url: string }> =
  {
    gemini: {
      provider: 'gemini',
      endpoint: 'generateContent',
      url: '/v1beta/models/gemini-2.5-flash:generateContent',
    },
    chat: { provider: 'openai', endpoint: 'chat.completions', url: '/v1/chat/completions' },
    responses: { provider: 'openai', endpoint: 'responses', url: '/v1/responses' },
    anthropic: { provider: 'anthropic', endpoint: 'messages', url: '/v1/messages' },
  };

function request(shape: Shape, body: unknown, i: number): ModelRequest {
  const route = ROUTES[shape];
  return {
    type: 'model.request',
    index: i * 2,
    correlation_id: `c${i}`,
    offset_ms: 0,
    method: 'POST',
    transport: 'http',
    stream: false,
    model: null,
    headers: { 'content-type': 'application/json' },
    body,
    ...route,
  };
}

function response(shape: Shape, body: unknown, i: number): ModelResponse {
  const { provider, endpoint } = ROUTES[shape];
  return {
    type: 'model.response',
    index: i * 2 + 1,
    correlation_id: `c${i}`,
    offset_ms: 0,
    provider,
    endpoint,
    status: 200,
    headers: { 'content-type': 'application/json' },
    body,
  };
}

/** One turn of a tool loop in the shape of each API, with the call id and the tool's output. */
function turn(shape: Shape, prompt: string, id: string, temperature: number, extra: unknown) {
  const call = { name: 'get_weather', args: { city: 'Oslo' } };
  const out = { temperature };
  switch (shape) {
    case 'gemini':
      return {
        body: {
          contents: [
            { role: 'user', parts: [{ text: prompt }] },
            { role: 'model', parts: [{ functionCall: { id, ...call } }] },
            { role: 'user', parts: [{ functionResponse: { id, name: call.name, response: out } }] },
          ],
          ...(extra as object),
        },
        prompt: 'body.contents[0].parts[0].text',
        output: 'body.contents[2].parts[0].functionResponse.response.temperature',
      };
    case 'chat':
      return {
        body: {
          model: 'gpt-4.1',
          messages: [
            { role: 'user', content: prompt },
            {
              role: 'assistant',
              tool_calls: [
                {
                  id,
                  type: 'function',
                  function: { name: call.name, arguments: '{"city":"Oslo"}' },
                },
              ],
            },
            { role: 'tool', tool_call_id: id, content: JSON.stringify(out) },
          ],
          ...(extra as object),
        },
        prompt: 'body.messages[0].content',
        output: 'body.messages[2].content',
      };
    case 'responses':
      return {
        body: {
          model: 'gpt-5',
          input: [
            { role: 'user', content: prompt },
            { type: 'function_call', call_id: id, name: call.name, arguments: '{"city":"Oslo"}' },
            { type: 'function_call_output', call_id: id, output: JSON.stringify(out) },
          ],
          ...(extra as object),
        },
        prompt: 'body.input[0].content',
        output: 'body.input[2].output',
      };
    case 'anthropic':
      return {
        body: {
          model: 'claude-sonnet-4-5',
          max_tokens: 100,
          messages: [
            { role: 'user', content: prompt },
            {
              role: 'assistant',
              content: [{ type: 'tool_use', id, name: call.name, input: call.args }],
            },
            {
              role: 'user',
              content: [
                {
                  type: 'tool_result',
                  tool_use_id: id,
                  content: [{ type: 'text', text: String(temperature) }],
                },
              ],
            },
          ],
          ...(extra as object),
        },
        prompt: 'body.messages[0].content',
        output: 'body.messages[2].content[0].content[0].text',
      };
  }
}

const answer = (shape: Shape) =>
  shape === 'gemini'
    ? { candidates: [{ content: { role: 'model', parts: [{ text: 'It is mild.' }] } }] }
    : { id: 'resp_fake_0001', output_text: 'It is mild.' };

/** A replay's live requests, taken one by one; the first miss is returned. */
function replay(steps: Step[], live: ModelRequest[]): MatchResult[] {
  const matcher = new ReplayMatcher('t.rpk', steps, normalizeRequest);
  return live.map((r) => matcher.take(r));
}

describe('looksMinted', () => {
  test.each([
    ['a uuid', '5ac2a4b3-f715-4fc7-abf0-877ace7ee821'],
    ['an exec- prefixed uuid', 'exec-5ac2a4b3-f715-4fc7-abf0-877ace7ee821'],
    ['an AI SDK id', 'ayyYTuV5GSzFJG5V'],
    ['an OpenAI call id', 'call_Jq8ZfYF1x0g3Rr6tXo9oNbYq'],
    ['an Anthropic tool_use id', 'toolu_01A09q90qw90lq917835lq9'],
    ['a nanoid', 'V1StGXR8_Z5jdHi6B-myT'],
    ['a hex token', '3f9a8b7c6d5e4f30a1b2'],
  ])('%s looks minted', (_what, value) => {
    expect(looksMinted(value)).toBe(true);
  });

  test.each([
    'get_weather',
    'getWeatherForCity',
    'claude-3-5-sonnet-20241022',
    'gemini-2.5-flash',
    'text-embedding-3-small',
    '2026-11-24T10:00:00Z',
    'call_fake_0001',
    'functionResponse',
    'Weather in Oslo?',
    'application/json',
    'v1.2.3-beta.4',
  ])('%s does not', (value) => {
    expect(looksMinted(value)).toBe(false);
  });

  test('under an id key, any token that mixes letters with digits or cases does', () => {
    expect(looksMinted('qbaflpzpqxqpcexo7', 'id')).toBe(true);
    expect(looksMinted('sessionAbc12345', 'session_id')).toBe(true);
    expect(looksMinted('session-1', 'session_id')).toBe(false);
    expect(looksMinted('V_1S_tG-XR_8Z-5j_dH-i6', 'span_id')).toBe(true);
  });
});

describe('binding minted ids', () => {
  const RECORDED = 'ayyYTuV5GSzFJG5V';
  const LIVE = 'ZdUve9AgeSUiYKd3';
  const cassette = (id: string): Step[] => [
    request('gemini', turn('gemini', 'hi', id, 21, {}).body, 0),
    response('gemini', answer('gemini'), 0),
  ];

  test('a value a recorded response held is compared, not bound', () => {
    const steps: Step[] = [
      request('chat', { messages: [{ role: 'user', content: 'hi' }] }, 0),
      response(
        'chat',
        { choices: [{ message: { tool_calls: [{ id: 'call_Jq8ZfYF1x0g3Rr6tXo9oNbYq' }] } }] },
        0,
      ),
      request('chat', turn('chat', 'hi', 'call_Jq8ZfYF1x0g3Rr6tXo9oNbYq', 21, {}).body, 1),
      response('chat', answer('chat'), 1),
    ];
    const [first, second] = replay(steps, [
      request('chat', { messages: [{ role: 'user', content: 'hi' }] }, 0),
      request('chat', turn('chat', 'hi', LIVE, 21, {}).body, 1),
    ]);
    expect(first?.ok).toBe(true);
    expect(second?.ok).toBe(false);
    if (second?.ok === false) {
      expect(second.divergence.difference).toMatchObject({
        path: 'body.messages[1].tool_calls[0].id',
        expected: 'call_Jq8ZfYF1x0g3Rr6tXo9oNbYq',
        actual: LIVE,
      });
    }
  });

  test('the recorded id maps to one live id: a second live id for it diverges at its path', () => {
    const body = turn('gemini', 'hi', LIVE, 21, {}).body as { contents: { parts: unknown[] }[] };
    body.contents[2]!.parts = [
      {
        functionResponse: {
          id: 'K3zq9WpL0sTb7YxA',
          name: 'get_weather',
          response: { temperature: 21 },
        },
      },
    ];
    const [result] = replay(cassette(RECORDED), [request('gemini', body, 0)]);
    expect(result?.ok).toBe(false);
    if (result?.ok === false) {
      expect(result.divergence.difference).toEqual({
        path: 'body.contents[2].parts[0].functionResponse.id',
        expected: LIVE,
        actual: 'K3zq9WpL0sTb7YxA',
      });
      expect(result.divergence.kind).toBe('mismatch');
    }
  });

  test('and one live id maps to one recorded id: reusing it for a second one diverges', () => {
    const other = 'Pq7RsT2uVw9XyZ1a';
    const two = (a: string, b: string) => ({
      contents: [
        {
          role: 'model',
          parts: [{ functionCall: { id: a, name: 'x' } }, { functionCall: { id: b, name: 'y' } }],
        },
      ],
    });
    const steps: Step[] = [
      request('gemini', two(RECORDED, other), 0),
      response('gemini', answer('gemini'), 0),
    ];
    const [same] = replay(steps, [request('gemini', two(LIVE, LIVE), 0)]);
    expect(same?.ok).toBe(false);
    const [fresh] = replay(steps, [request('gemini', two(LIVE, 'Hh4Jj5Kk6Ll7Mm8N'), 0)]);
    expect(fresh?.ok).toBe(true);
  });

  test('bindings hold across requests: a later request that resends another id diverges', () => {
    const steps: Step[] = [
      request('gemini', turn('gemini', 'hi', RECORDED, 21, {}).body, 0),
      response('gemini', answer('gemini'), 0),
      request('gemini', turn('gemini', 'again', RECORDED, 21, {}).body, 1),
      response('gemini', answer('gemini'), 1),
    ];
    const ok = replay(steps, [
      request('gemini', turn('gemini', 'hi', LIVE, 21, {}).body, 0),
      request('gemini', turn('gemini', 'again', LIVE, 21, {}).body, 1),
    ]);
    expect(ok.map((r) => r.ok)).toEqual([true, true]);
    const broken = replay(steps, [
      request('gemini', turn('gemini', 'hi', LIVE, 21, {}).body, 0),
      request('gemini', turn('gemini', 'again', 'Hh4Jj5Kk6Ll7Mm8N', 21, {}).body, 1),
    ]);
    expect(broken.map((r) => r.ok)).toEqual([true, false]);
    const miss = broken[1];
    if (miss?.ok === false) {
      expect(miss.divergence.difference).toMatchObject({
        path: 'body.contents[1].parts[0].functionCall.id',
        expected: LIVE,
        actual: 'Hh4Jj5Kk6Ll7Mm8N',
      });
    }
  });

  test('sequence mode binds the same way', () => {
    const matcher = new ReplayMatcher('t.rpk', cassette(RECORDED), normalizeRequest, {
      match: 'sequence',
    });
    expect(matcher.take(request('gemini', turn('gemini', 'hi', LIVE, 21, {}).body, 0)).ok).toBe(
      true,
    );
  });
});

/** Ids as real generators make them: uuids, AI SDK, OpenAI, Anthropic and nanoid styles. */
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function token(seed: number, length: number, alphabet = BASE62): string {
  // mulberry32: a seeded stream, so a failing case replays from fast-check's seed.
  let a = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out += alphabet[((t ^ (t >>> 14)) >>> 0) % alphabet.length];
  }
  return out;
}
const mintedId = fc.oneof(
  fc.uuid(),
  fc.nat().map((s) => token(s, 16)),
  fc.nat().map((s) => `call_${token(s, 24)}`),
  fc.nat().map((s) => `toolu_01${token(s, 22)}`),
  fc.nat().map((s) => token(s, 21, `${BASE62}_-`)),
);
const shape = fc.constantFrom<Shape>('gemini', 'chat', 'responses', 'anthropic');
/** Where else a client puts an id it made up: nested under id keys, at random depths. */
const placement = fc.array(fc.constantFrom('metadata', 'trace', 'context', 'client'), {
  minLength: 1,
  maxLength: 3,
});

function nest(keys: string[], leaf: Record<string, unknown>): Record<string, unknown> {
  return keys.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), leaf);
}

const conversation = fc.array(
  fc.record({
    shape,
    prompt: fc.string({ minLength: 1, maxLength: 20 }),
    temperature: fc.integer({ min: -30, max: 40 }),
    call: mintedId,
    extra: fc.option(fc.record({ keys: placement, id: mintedId }), { nil: undefined }),
  }),
  { minLength: 1, maxLength: 5 },
);

const build = (turns: Parameters<typeof buildAll>[0]) => buildAll(turns);
function buildAll(
  turns: {
    shape: Shape;
    prompt: string;
    temperature: number;
    call: string;
    extra: { keys: string[]; id: string } | undefined;
  }[],
  ids: (id: string) => string = (id) => id,
) {
  return turns.map((t) => {
    const extra = t.extra ? nest(t.extra.keys, { span_id: ids(t.extra.id) }) : {};
    return turn(t.shape, t.prompt, ids(t.call), t.temperature, extra);
  });
}

describe('property: minted ids at random places replay; a changed value diverges at its path', () => {
  test('fresh ids for every minted value replay without divergence', () => {
    fc.assert(
      fc.property(
        conversation,
        fc.array(mintedId, { minLength: 12, maxLength: 12 }),
        (turns, fresh) => {
          const recorded = build(turns);
          const distinct = [...new Set(turns.flatMap((t) => [t.call, t.extra?.id ?? []].flat()))];
          fc.pre(new Set(fresh).size === fresh.length && fresh.every((f) => !distinct.includes(f)));
          const live = buildAll(turns, (id) => fresh[distinct.indexOf(id)]!);
          const steps = recorded.flatMap((r, i) => [
            request(turns[i]!.shape, r.body, i),
            response(turns[i]!.shape, answer(turns[i]!.shape), i),
          ]);
          const results = replay(
            steps,
            live.map((l, i) => request(turns[i]!.shape, l.body, i)),
          );
          for (const r of results) {
            if (!r.ok) throw new Error(r.divergence.difference?.path ?? r.divergence.kind);
          }
          expect(results.map((r) => r.ok && r.exchange.index)).toEqual(turns.map((_t, i) => i));
        },
      ),
      { numRuns: 150 },
    );
  });

  test('a changed prompt or tool output (not minted) diverges at its JSON path', () => {
    fc.assert(
      fc.property(
        conversation,
        fc.array(mintedId, { minLength: 12, maxLength: 12 }),
        fc.nat(),
        fc.constantFrom<'prompt' | 'output'>('prompt', 'output'),
        (turns, fresh, pick, what) => {
          const distinct = [...new Set(turns.flatMap((t) => [t.call, t.extra?.id ?? []].flat()))];
          fc.pre(new Set(fresh).size === fresh.length && fresh.every((f) => !distinct.includes(f)));
          const k = pick % turns.length;
          const changed = turns.map((t, i) =>
            i !== k
              ? t
              : what === 'prompt'
                ? { ...t, prompt: `${t.prompt}!` }
                : { ...t, temperature: t.temperature + 1 },
          );
          // A change that makes the request equal another recorded one is no change.
          const same = (a: (typeof turns)[number], b: (typeof turns)[number]) =>
            a.shape === b.shape && a.prompt === b.prompt && a.temperature === b.temperature;
          fc.pre(turns.every((t, i) => i === k || !same(t, changed[k]!)));
          const recorded = build(turns);
          const live = buildAll(changed, (id) => fresh[distinct.indexOf(id)]!);
          const steps = recorded.flatMap((r, i) => [
            request(turns[i]!.shape, r.body, i),
            response(turns[i]!.shape, answer(turns[i]!.shape), i),
          ]);
          const results = replay(
            steps,
            live.slice(0, k + 1).map((l, i) => request(turns[i]!.shape, l.body, i)),
          );
          const last = results.at(-1)!;
          expect(results.slice(0, -1).every((r) => r.ok)).toBe(true);
          expect(last.ok).toBe(false);
          if (!last.ok) expect(last.divergence.difference?.path).toBe(recorded[k]![what]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
