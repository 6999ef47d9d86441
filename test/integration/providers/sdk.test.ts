/**
 * Real official SDKs against the loopback fake upstream: the adapters must classify and assemble
 * the traffic the SDK saw so that our assembly equals the SDK's own final text and tool calls.
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import type { ResponseCompletedEvent } from 'openai/resources/responses/responses';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { adapt } from './adapt.ts';

let up: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream();
});
afterAll(() => up.close());
beforeEach(() => up.reset());

const last = () => adapt(up.received.at(-1)!, up.sent.at(-1)!);
const toolSteps = (steps: { type: string }[]) => steps.filter((s) => s.type === 'tool.request');

describe('openai SDK', () => {
  const client = () =>
    new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${up.url}/v1`, maxRetries: 0 });

  test('Responses SSE: text and function + custom tool calls equal finalResponse()', async () => {
    up.enqueue({
      kind: 'tool',
      text: 'Checking — één moment 👀',
      calls: [
        { name: 'get_weather', arguments: { city: 'Paris', unit: 'c' } },
        { name: 'exec', type: 'custom', arguments: 'text("hi")' },
      ],
      chunking: 7,
    });
    const final = await client()
      .responses.stream({ model: 'gpt-5-mini', input: 'weather?' })
      .finalResponse();
    const { route, response, assembled, steps } = last();
    expect(route).toMatchObject({
      provider: 'openai',
      endpoint: 'responses',
      stream: true,
      streamFormat: 'sse',
    });
    expect(response.stream?.state).toBe('completed');
    expect(assembled.text).toBe(final.output_text);
    const sdkCalls = final.output.flatMap((o): unknown[] =>
      o.type === 'function_call'
        ? [{ id: o.call_id, name: o.name, arguments: JSON.parse(o.arguments), kind: o.type }]
        : o.type === 'custom_tool_call'
          ? [{ id: o.call_id, name: o.name, arguments: o.input, kind: o.type }]
          : [],
    );
    expect(assembled.tool_calls).toEqual(sdkCalls);
    expect(toolSteps(steps)).toHaveLength(2);
    expect(assembled.usage).toEqual(final.usage);
  });

  test('Responses JSON: output_text equals the assembly', async () => {
    up.enqueue({ kind: 'text', text: 'plain JSON reply' });
    const res = await client().responses.create({ model: 'gpt-5-mini', input: 'hi' });
    const { response, assembled } = last();
    expect(response.stream).toBeUndefined();
    expect(assembled.text).toBe(res.output_text);
    expect(response.request_id).toBe(up.sent.at(-1)?.headers['x-request-id']);
  });

  test('Chat SSE: text and tool_calls fragments equal finalChatCompletion()', async () => {
    up.enqueue({
      kind: 'tool',
      calls: [
        { name: 'get_weather', arguments: { city: 'Oslo' } },
        { name: 'get_time', arguments: { tz: 'CET' } },
      ],
      chunking: 'byte',
    });
    const stream = client().chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const message = final.choices[0]!.message;
    const { assembled, response } = last();
    expect(response.stream?.state).toBe('completed');
    expect(assembled.text).toBe(message.content ?? '');
    expect(assembled.tool_calls).toEqual(
      (message.tool_calls ?? []).map((c) => ({
        id: c.id,
        name: c.type === 'function' ? c.function.name : '',
        arguments: c.type === 'function' ? JSON.parse(c.function.arguments) : null,
        kind: 'function',
      })),
    );
    expect(assembled.stop_reason).toBe(final.choices[0]!.finish_reason);
  });

  test('Chat JSON and a follow-up carrying the tool result as role: tool', async () => {
    up.enqueue({
      kind: 'tool',
      calls: [{ name: 'lookup', arguments: { q: 'rpk' }, callId: 'call_L1' }],
    });
    const first = await client().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(last().assembled.tool_calls.map((c) => c.id)).toEqual(
      first.choices[0]!.message.tool_calls?.map((c) => c.id),
    );
    await client().chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'user', content: 'x' },
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: 'call_L1', content: 'found it' },
      ],
    });
    const { steps } = last();
    expect(steps[0]).toMatchObject({
      type: 'tool.response',
      call_id: 'call_L1',
      name: 'lookup',
      output: 'found it',
    });
    expect(steps[1]?.type).toBe('model.request');
  });

  test('Responses over WebSocket (ResponsesWS): frames assemble like the SDK final response', async () => {
    up.enqueue({
      kind: 'tool',
      text: 'via ws',
      calls: [{ name: 'exec', type: 'custom', arguments: 'text(1)' }],
    });
    const rws = new ResponsesWS(client());
    const completed = new Promise<ResponseCompletedEvent>((resolve) =>
      rws.on('response.completed', resolve),
    );
    rws.send({ type: 'response.create', model: 'gpt-5-mini', input: 'hi' });
    const done = await completed;
    rws.close();
    const frame = up.received.findIndex((r) => r.websocket === 'frame');
    const { route, response, assembled, steps } = adapt(up.received[frame]!, up.sent.at(-1)!);
    expect(route.streamFormat).toBe('websocket');
    expect(steps[0]).toMatchObject({
      type: 'model.request',
      transport: 'websocket',
      model: 'gpt-5-mini',
    });
    expect(response.stream?.state).toBe('completed');
    expect(response.stream?.events.every((e) => e.event === undefined)).toBe(true);
    // Raw WebSocket events carry no `output_text` convenience: join the message parts like the SDK does.
    const sdkText = done.response.output
      .flatMap((o) => (o.type === 'message' ? o.content : []))
      .flatMap((c) => (c.type === 'output_text' ? [c.text] : []))
      .join('');
    expect(sdkText).toBe('via ws');
    expect(assembled.text).toBe(sdkText);
    const custom = done.response.output.find((o) => o.type === 'custom_tool_call');
    expect(assembled.tool_calls).toEqual([
      { id: custom?.call_id, name: 'exec', arguments: 'text(1)', kind: 'custom_tool_call' },
    ]);
  });
});

describe('@anthropic-ai/sdk', () => {
  const client = () =>
    new Anthropic({ apiKey: 'sk-ant-test-FAKE', baseURL: up.url, maxRetries: 0 });

  test('messages.stream: text and tool_use input equal finalMessage()', async () => {
    up.enqueue({
      kind: 'tool',
      text: 'Let me look — ça va',
      calls: [{ name: 'Bash', arguments: { command: 'ls -la', description: 'List' } }],
      chunking: 3,
    });
    const final = await client()
      .messages.stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'ls' }],
      })
      .finalMessage();
    const { route, response, assembled } = last();
    expect(route).toMatchObject({ provider: 'anthropic', endpoint: 'messages', stream: true });
    expect(response.stream?.state).toBe('completed');
    const text = final.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    expect(assembled.text).toBe(text);
    expect(assembled.tool_calls).toEqual(
      final.content.flatMap((b) =>
        b.type === 'tool_use'
          ? [{ id: b.id, name: b.name, arguments: b.input, kind: 'tool_use' }]
          : [],
      ),
    );
    expect(assembled.stop_reason).toBe(final.stop_reason);
    expect(assembled.usage).toMatchObject({ output_tokens: final.usage.output_tokens });
    expect(response.request_id).toBe(up.sent.at(-1)?.headers['request-id']);
  });

  test('a tool_result sent back becomes a tool.response step before the model.request', async () => {
    up.enqueue({ kind: 'text', text: 'ok' });
    await client().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'ls' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_9', name: 'Bash', input: { command: 'ls' } }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'a.txt' }],
        },
      ],
    });
    const { steps, assembled } = last();
    expect(steps.map((s) => s.type)).toEqual(['tool.response', 'model.request', 'model.response']);
    expect(steps[0]).toMatchObject({ call_id: 'toolu_9', name: 'Bash', output: 'a.txt' });
    expect(assembled.text).toBe('ok');
  });
});

describe('@google/genai', () => {
  const ai = () => new GoogleGenAI({ apiKey: 'AIza-test-FAKE', httpOptions: { baseUrl: up.url } });

  test('generateContentStream (SSE): text and functionCalls equal the SDK chunks', async () => {
    up.enqueue({
      kind: 'tool',
      text: 'Sure — un instant',
      calls: [{ name: 'get_weather', arguments: { city: 'Rome' } }],
      chunking: 5,
    });
    const stream = await ai().models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'weather?',
    });
    let text = '';
    const calls: unknown[] = [];
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      for (const c of chunk.functionCalls ?? [])
        calls.push({ id: c.id ?? null, name: c.name, arguments: c.args, kind: 'functionCall' });
    }
    const { route, response, assembled } = last();
    expect(route).toMatchObject({
      provider: 'gemini',
      endpoint: 'streamGenerateContent',
      streamFormat: 'sse',
    });
    expect(response.stream?.state).toBe('completed');
    expect(assembled.text).toBe(text);
    expect(assembled.tool_calls).toEqual(calls);
  });

  test('generateContent (JSON): text equals response.text, request id from responseId', async () => {
    up.enqueue({ kind: 'text', text: 'ciao' });
    const res = await ai().models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' });
    const { assembled, response } = last();
    expect(assembled.text).toBe(res.text);
    expect(response.request_id).toBe(res.responseId);
  });

  test('streamGenerateContent without alt=sse: the JSON array assembles like the SSE form', async () => {
    up.enqueue({ kind: 'text', text: 'alpha beta gamma', chunking: 'byte' });
    const res = await fetch(`${up.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-test-FAKE' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    const elements = (await res.json()) as {
      candidates: { content: { parts: { text: string }[] } }[];
    }[];
    const { route, response, assembled } = last();
    expect(route.streamFormat).toBe('json-array');
    expect(response.stream?.events.map((e) => e.data)).toEqual(elements);
    expect(assembled.text).toBe('alpha beta gamma');
    expect(response.stream?.state).toBe('completed');
  });
});
