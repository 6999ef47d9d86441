/**
 * Each provider module renders its request bodies as turns (issue 19, through issue 16's
 * modules): roles mapped, tool calls and their results as parts, and never a throw on a body of
 * any shape (cassette bodies are untrusted JSON).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../../src/providers/registry.ts';
import { turnsOf } from '../../../src/viewer/turns.ts';

describe('conversation turns per provider module', () => {
  it('OpenAI Chat Completions: system, user, assistant tool calls, tool results', () => {
    const turns = turnsOf('openai', 'chat.completions', {
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '11 °C' },
      ],
    });
    expect(turns.map((t) => t.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(turns[2]!.parts).toEqual([
      { kind: 'tool_call', id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } },
    ]);
    expect(turns[3]!.parts[0]).toMatchObject({ kind: 'tool_result', id: 'c1', output: '11 °C' });
  });

  it('OpenAI Responses: instructions, input items, reasoning, custom tool calls and outputs', () => {
    const turns = turnsOf('openai', 'responses', {
      instructions: 'You are Codex.',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'say hi' }] },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'thinking' }] },
        { type: 'custom_tool_call', call_id: 'x1', name: 'exec', input: 'text("hi")' },
        { type: 'custom_tool_call_output', call_id: 'x1', output: 'hi' },
      ],
    });
    expect(turns.map((t) => t.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(turns[2]!.parts).toEqual([
      { kind: 'reasoning', text: 'thinking' },
      { kind: 'tool_call', id: 'x1', name: 'exec', arguments: 'text("hi")' },
    ]);
  });

  it('Anthropic Messages: system blocks, thinking, tool_use, and a user turn of tool_results is the tools speaking', () => {
    const turns = turnsOf('anthropic', 'messages', {
      system: [{ type: 'text', text: 'Be careful.' }],
      messages: [
        { role: 'user', content: 'List files' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'ls' },
            { type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'ls' } },
          ],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't1', content: 'a.txt', is_error: true }],
        },
      ],
    });
    expect(turns.map((t) => t.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(turns[3]!.parts[0]).toEqual({
      kind: 'tool_result',
      id: 't1',
      name: null,
      output: 'a.txt',
      is_error: true,
    });
  });

  it('Gemini: systemInstruction, thought parts, functionCall and functionResponse', () => {
    const turns = turnsOf('gemini', 'streamGenerateContent', {
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        {
          role: 'model',
          parts: [
            { text: 'hmm', thought: true },
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          ],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_weather', response: { c: 11 } } }],
        },
      ],
    });
    expect(turns.map((t) => t.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(turns[2]!.parts[0]).toEqual({ kind: 'reasoning', text: 'hmm' });
  });

  it('a provider without a renderer, or a body of no known shape, still shows its body', () => {
    expect(turnsOf('unknown', 'opaque', { a: 1 })).toEqual([
      { role: 'user', parts: [{ kind: 'data', label: 'body', value: { a: 1 } }] },
    ]);
    expect(turnsOf('openai', 'embeddings', { input: 'x' })[0]!.parts[0]!.kind).toBe('data');
  });

  it('no module throws on a body of any shape (property)', () => {
    const endpoints = [
      'responses',
      'chat.completions',
      'messages',
      'generateContent',
      'streamGenerateContent',
    ];
    const body = fc.oneof(
      fc.anything(),
      fc.record({
        messages: fc.array(fc.anything()),
        input: fc.anything(),
        contents: fc.array(fc.anything()),
        system: fc.anything(),
      }),
    );
    fc.assert(
      fc.property(body, fc.constantFrom(...endpoints), (value, endpoint) => {
        for (const module of PROVIDERS) expect(() => module.turns?.(endpoint, value)).not.toThrow();
        expect(Array.isArray(turnsOf('openai', endpoint, value))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
