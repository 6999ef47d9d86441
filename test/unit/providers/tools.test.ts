import { describe, expect, test } from 'vitest';
import { requestSteps } from '../../../src/providers/index.ts';

const ctx = { correlation_id: 'c2', offset_ms: 10 };
function steps(url: string, body: unknown, transport: 'http' | 'websocket' = 'http') {
  return requestSteps(
    {
      method: transport === 'websocket' ? 'GET' : 'POST',
      url,
      headers:
        transport === 'websocket'
          ? { upgrade: 'websocket' }
          : { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
      transport,
    },
    ctx,
  ).steps;
}
const toolResponses = (list: ReturnType<typeof steps>) =>
  list
    .filter((s) => s.type === 'tool.response')
    .map((s) => (s.type === 'tool.response' ? s : null));

describe('tool results carried back in a request become tool.response steps before the model.request', () => {
  test('Responses: function_call_output and custom_tool_call_output after the last model turn only', () => {
    const body = {
      model: 'gpt-5.1',
      input: [
        { role: 'user', content: 'weather?' },
        { type: 'function_call', call_id: 'call_old', name: 'old_tool', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_old', output: 'stale' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
        { type: 'custom_tool_call', call_id: 'call_2', name: 'exec', input: 'text("hi")' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp":21}' },
        { type: 'custom_tool_call_output', call_id: 'call_2', output: 'hi' },
      ],
    };
    const list = steps('/v1/responses', body);
    expect(list.map((s) => s.type)).toEqual(['tool.response', 'tool.response', 'model.request']);
    expect(toolResponses(list)).toMatchObject([
      {
        call_id: 'call_1',
        name: 'get_weather',
        kind: 'function_call_output',
        output: '{"temp":21}',
      },
      { call_id: 'call_2', name: 'exec', kind: 'custom_tool_call_output', output: 'hi' },
    ]);
    expect(list.every((s) => s.correlation_id === 'c2' && s.offset_ms === 10)).toBe(true);
  });

  test('Responses over WebSocket: a response.create frame carrying custom_tool_call_output', () => {
    const frame = {
      type: 'response.create',
      model: 'gpt-5.1-codex',
      previous_response_id: 'resp_1',
      input: [{ type: 'custom_tool_call_output', call_id: 'call_9', output: 'done' }],
    };
    const list = steps('/v1/responses', frame, 'websocket');
    expect(list.at(-1)).toMatchObject({
      type: 'model.request',
      transport: 'websocket',
      model: 'gpt-5.1-codex',
      stream: true,
    });
    expect(toolResponses(list)).toMatchObject([
      { call_id: 'call_9', kind: 'custom_tool_call_output', name: null },
    ]);
  });

  test('Chat: role tool messages after the last assistant turn, named from its tool_calls', () => {
    const body = {
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'x' },
        {
          role: 'assistant',
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_a', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_b', content: '12:00' },
      ],
    };
    expect(toolResponses(steps('/v1/chat/completions', body))).toMatchObject([
      { call_id: 'call_a', name: 'get_weather', kind: 'tool', output: 'sunny' },
      { call_id: 'call_b', name: 'get_time', kind: 'tool', output: '12:00' },
    ]);
  });

  test('Anthropic: tool_result blocks of the final user message, with is_error', () => {
    const body = {
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'user', content: 'list files' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'ls: denied', is_error: true },
            { type: 'text', text: 'continue' },
          ],
        },
      ],
    };
    expect(toolResponses(steps('/v1/messages?beta=true', body))).toEqual([
      expect.objectContaining({
        call_id: 'toolu_1',
        name: 'Bash',
        kind: 'tool_result',
        output: 'ls: denied',
        is_error: true,
      }),
    ]);
  });

  test('Gemini: functionResponse parts of the last content', () => {
    const body = {
      contents: [
        { role: 'user', parts: [{ text: 'weather?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 } } }],
        },
      ],
    };
    expect(
      toolResponses(steps('/v1beta/models/gemini-2.5-flash:generateContent', body)),
    ).toMatchObject([
      { call_id: null, name: 'get_weather', kind: 'functionResponse', output: { temp: 21 } },
    ]);
  });

  test('a request without new tool results has only its model.request', () => {
    expect(
      steps('/v1/chat/completions', {
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
      }).map((s) => s.type),
    ).toEqual(['model.request']);
  });
});
