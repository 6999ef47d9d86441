import { describe, expect, test } from 'vitest';
import { Step } from '../../../src/cassette/schema.ts';
import { FIXTURE_SET, runFixture } from './fixtures.ts';

/** What a user would check by eye for each fixture; the snapshot pins the rest. */
const EXPECT: Record<
  string,
  { state?: string; text?: string; tools?: string[]; stop?: string | null }
> = {
  'openai responses text (SSE, reasoning, UTF-8)': {
    state: 'completed',
    text: 'Héllo, wörld! 👋',
    stop: 'completed',
  },
  'openai responses tools (SSE, function + custom)': {
    state: 'completed',
    tools: ['get_weather', 'exec'],
  },
  'openai responses tools (WebSocket)': { state: 'completed', tools: ['get_weather', 'exec'] },
  'openai responses failed': { state: 'error', text: '', stop: 'failed' },
  'openai responses incomplete': {
    state: 'completed',
    text: 'Once upon',
    stop: 'max_output_tokens',
  },
  'openai responses interrupted': { state: 'interrupted', tools: [] },
  'openai responses malformed frame': { state: 'completed', text: 'ok' },
  'openai responses JSON (local_shell_call + function_call)': {
    tools: ['local_shell', 'get_weather'],
  },
  'openai chat text (SSE, usage chunk, [DONE])': {
    state: 'completed',
    text: 'Hello there ✓',
    stop: 'stop',
  },
  'openai chat tools (SSE, parallel fragments)': {
    state: 'completed',
    tools: ['get_weather', 'get_time'],
  },
  'openai chat interrupted': { state: 'interrupted', tools: [] },
  'openai chat error mid-stream': { state: 'error', text: 'Hi' },
  'openai chat JSON (tool call)': { tools: ['lookup'], stop: 'tool_calls' },
  'openai error JSON (429)': {},
  'anthropic text (thinking, signature, ping)': {
    state: 'completed',
    text: 'Hi! How can I help — today?',
    stop: 'end_turn',
  },
  'anthropic tools (input_json_delta)': {
    state: 'completed',
    text: 'Let me check.',
    tools: ['Bash', 'Noop'],
  },
  'anthropic interrupted': { state: 'interrupted', tools: [] },
  'anthropic event: error': { state: 'error', text: 'Partial' },
  'anthropic JSON (tool_use)': { tools: ['Read'], stop: 'tool_use' },
  'anthropic error JSON (529)': {},
  'gemini text (SSE, thought, thoughtSignature)': {
    state: 'completed',
    text: 'Bonjour à tous 🌍',
    stop: 'STOP',
  },
  'gemini tools (JSON array)': { state: 'completed', tools: ['get_weather', 'get_time'] },
  'gemini interrupted (JSON array)': { state: 'interrupted', text: 'Calling a tool.' },
  'gemini error mid-stream (SSE)': { state: 'error', text: 'Hal' },
  'gemini JSON (functionCall)': { tools: ['get_weather', 'get_time'], stop: 'STOP' },
  'gemini error JSON (429)': {},
};

describe('fixture set: canonical steps per provider and route', () => {
  test('every fixture has expectations (and every expectation a fixture)', () => {
    expect(Object.keys(EXPECT).sort()).toEqual(Object.keys(FIXTURE_SET).sort());
  });

  for (const [name, fx] of Object.entries(FIXTURE_SET)) {
    test(name, () => {
      const { steps } = runFixture(fx);
      // Every step is a valid .rpk step once the writer assigns its index.
      for (const [index, step] of steps.entries()) Step.parse({ ...step, index });
      const response = steps.find((s) => s.type === 'model.response');
      if (response?.type !== 'model.response') throw new Error('no model.response');
      const want = EXPECT[name]!;
      if (want.state) expect(response.stream?.state).toBe(want.state);
      if (want.text !== undefined) expect(response.assembled?.text).toBe(want.text);
      if (want.stop !== undefined) expect(response.assembled?.stop_reason).toBe(want.stop);
      if (want.tools) {
        expect(response.assembled?.tool_calls.map((c) => c.name)).toEqual(want.tools);
        const toolSteps = steps.filter((s) => s.type === 'tool.request');
        expect(toolSteps.map((s) => (s.type === 'tool.request' ? s.name : ''))).toEqual(want.tools);
      }
      if ((fx.status ?? 200) >= 400) expect(response.assembled).toBeUndefined();
      expect(steps).toMatchSnapshot();
    });
  }
});
