/**
 * Issue 14 item 4: what real streams carry is assembled as the SDKs assemble it. The streams are
 * the real recorded ones of the corpus (test/fixtures/corpus, sources in its SOURCES.md), plus
 * hand-built shapes where the corpus has none.
 */
import { describe, expect, test } from 'vitest';
import type { StreamEvent } from '../../../src/cassette/schema.ts';
import { assembleEvents } from '../../../src/providers/assemble.ts';
import { responseSteps } from '../../../src/providers/index.ts';
import type { RouteInfo } from '../../../src/providers/types.ts';
import { loadStreams } from '../../support/corpus.ts';

const GEMINI = { provider: 'gemini', endpoint: 'streamGenerateContent' } as RouteInfo;
const ANTHROPIC = { provider: 'anthropic', endpoint: 'messages' } as RouteInfo;
const RESPONSES = { provider: 'openai', endpoint: 'responses' } as RouteInfo;

const corpus = (file: string) => {
  const found = loadStreams().find((s) => s.file === file);
  if (!found) throw new Error(`corpus stream ${file} is missing`);
  return found.events;
};
const events = (datas: unknown[]): StreamEvent[] =>
  datas.map((data, i) => ({ offset_ms: i, data }));

describe('Gemini 3 / Vertex streamed function-call arguments', () => {
  test('one named call followed by partialArgs parts is one call with its arguments', () => {
    const { assembled } = assembleEvents(
      GEMINI,
      corpus('google/google-vertex-stream-tool-call-arguments-nested.1.jsonl'),
    );
    expect(assembled.tool_calls).toHaveLength(1);
    const [call] = assembled.tool_calls;
    expect(call?.name).toBe('cookRecipe');
    const args = call?.arguments as { recipe: { ingredients: { name: string; amount: string }[] } };
    expect(args.recipe.ingredients[0]).toEqual({ amount: '16 oz', name: 'Lasagna noodles' });
    expect(args.recipe.ingredients.every((i) => i.name && i.amount)).toBe(true);
  });

  test('two streamed calls in a row stay two calls, each with its own arguments', () => {
    const { assembled } = assembleEvents(
      GEMINI,
      corpus('google/google-stream-tool-call-arguments.jsonl'),
    );
    expect(assembled.tool_calls.map((c) => [c.name, c.arguments])).toEqual([
      ['getWeather', { location: 'Boston' }],
      ['getWeather', { location: 'San Francisco' }],
    ]);
  });

  test('a whole call, then streamed ones, then text', () => {
    const { assembled } = assembleEvents(
      GEMINI,
      corpus('google/google-stream-no-args-tool-call.jsonl'),
    );
    expect(assembled.tool_calls.map((c) => [c.name, c.arguments])).toEqual([
      ['read_theme', {}],
      ['read_screen', { id: 'A' }],
      ['read_screen', { id: 'B' }],
      ['read_screen', { id: 'C' }],
    ]);
  });

  test('number, bool and null values land at their paths', () => {
    const part = (functionCall: unknown) => ({
      candidates: [{ index: 0, content: { role: 'model', parts: [{ functionCall }] } }],
    });
    const { assembled } = assembleEvents(
      GEMINI,
      events([
        part({ name: 'f', willContinue: true }),
        part({ partialArgs: [{ jsonPath: '$.n', numberValue: 2 }], willContinue: true }),
        part({ partialArgs: [{ jsonPath: "$['a b'][1]", boolValue: true }], willContinue: true }),
        part({ partialArgs: [{ jsonPath: '$.z', nullValue: 'NULL_VALUE' }], willContinue: true }),
        part({}),
      ]),
    );
    expect(assembled.tool_calls).toEqual([
      {
        id: null,
        name: 'f',
        kind: 'functionCall',
        arguments: { n: 2, 'a b': [undefined, true], z: null },
      },
    ]);
  });
});

const messageStart = (content: unknown[] = [], id = 'msg_1') => ({
  type: 'message_start',
  message: {
    id,
    type: 'message',
    role: 'assistant',
    model: 'claude-x',
    content,
    stop_reason: null,
    usage: { input_tokens: 1, output_tokens: 0 },
  },
});

describe('Anthropic', () => {
  test('programmatic tool calling: tool_use blocks inside message_start are tool calls', () => {
    const tool = { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } };
    const { assembled, state } = assembleEvents(
      ANTHROPIC,
      events([
        messageStart([tool]),
        { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 5 } },
        { type: 'message_stop' },
      ]),
    );
    expect(state).toBe('completed');
    expect(assembled.stop_reason).toBe('tool_use');
    expect(assembled.tool_calls).toEqual([
      { id: 'toolu_1', name: 'get_weather', arguments: { city: 'Paris' }, kind: 'tool_use' },
    ]);
  });

  test('a new message_start resets the buffers of the abandoned message', () => {
    const start = (id: string, name: string) => ({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id, name, input: {} },
    });
    const delta = (partial_json: string) => ({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'input_json_delta', partial_json },
    });
    const { assembled } = assembleEvents(
      ANTHROPIC,
      events([
        messageStart([], 'msg_abandoned'),
        start('toolu_old', 'old'),
        delta('{"city": "Par'),
        messageStart([], 'msg_2'),
        start('toolu_new', 'new'),
        delta('{"q": 1}'),
        { type: 'content_block_stop', index: 0 },
        { type: 'message_delta', delta: { stop_reason: 'tool_use' } },
        { type: 'message_stop' },
      ]),
    );
    expect(assembled.response_id).toBe('msg_2');
    expect(assembled.tool_calls).toEqual([
      { id: 'toolu_new', name: 'new', arguments: { q: 1 }, kind: 'tool_use' },
    ]);
  });
});

describe('OpenAI Responses items the client must answer', () => {
  test('a client-run tool_search_call is a tool call and a tool.request step', () => {
    const stream = corpus('openai/openai-client-tool-search.1.jsonl');
    const result = assembleEvents(RESPONSES, stream);
    expect(result.assembled.tool_calls).toEqual([
      expect.objectContaining({ name: 'tool_search', kind: 'tool_search_call' }),
    ]);
    expect(result.assembled.tool_calls[0]?.arguments).toEqual({
      goal: expect.stringContaining('weather'),
    });
    const steps = responseSteps(
      RESPONSES,
      {
        status: 200,
        headers: {},
        stream: { format: 'sse', state: result.state, events: stream },
        assembled: result.assembled,
      },
      { correlation_id: 'c', offset_ms: 0 },
    );
    expect(steps.filter((s) => s.type === 'tool.request')).toHaveLength(1);
  });

  test('a server-run tool search is not a tool call', () => {
    const { assembled } = assembleEvents(RESPONSES, corpus('openai/openai-tool-search.1.jsonl'));
    expect(assembled.tool_calls.filter((c) => c.kind === 'tool_search_call')).toEqual([]);
  });
});
