/**
 * Each provider module renders its request bodies as turns (issue 19, through issue 16's
 * modules): roles mapped, tool calls and their results as parts, and never a throw on a body of
 * any shape (cassette bodies are untrusted JSON).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bedrockTurns } from '../../../src/providers/bedrock/turns.ts';
import { ollamaTurns } from '../../../src/providers/ollama/turns.ts';
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

  it('Bedrock Converse and InvokeModel (Claude), Ollama chat and generate', () => {
    const converse = turnsOf('bedrock', 'converse', {
      system: [{ text: 'Be brief.' }],
      messages: [
        { role: 'user', content: [{ text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [
            { toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Paris' } } },
          ],
        },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 't1', content: [{ text: '11' }], status: 'error' } },
          ],
        },
      ],
    });
    expect(converse.map((t) => t.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(converse[3]!.parts[0]).toMatchObject({ kind: 'tool_result', id: 't1', is_error: true });
    const invoke = turnsOf('bedrock', 'invoke', {
      anthropic_version: 'bedrock-2023-05-31',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(invoke).toEqual([{ role: 'user', parts: [{ kind: 'text', text: 'hi' }] }]);
    const chat = turnsOf('ollama', 'chat', {
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }],
        },
      ],
    });
    expect(chat[1]!.parts).toEqual([
      { kind: 'tool_call', id: null, name: 'f', arguments: { a: 1 } },
    ]);
    expect(turnsOf('ollama', 'generate', { system: 's', prompt: 'p' }).map((t) => t.role)).toEqual([
      'system',
      'user',
    ]);
    // Vertex, Azure and OpenAI-compatible servers speak Gemini's and OpenAI's wire formats.
    expect(
      turnsOf('vertex', 'generateContent', {
        contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      })[0]!.role,
    ).toBe('user');
    expect(
      turnsOf('azure', 'chat.completions', { messages: [{ role: 'user', content: 'hi' }] })[0]!
        .parts[0],
    ).toEqual({ kind: 'text', text: 'hi' });
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
        for (const render of [bedrockTurns, ollamaTurns]) {
          for (const e of [endpoint, 'converse', 'invoke', 'chat', 'generate']) {
            expect(() => render(e, value)).not.toThrow();
          }
        }
        expect(Array.isArray(turnsOf('openai', endpoint, value))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
