/**
 * Writes cassettes/demo/openai-chat-stream.rpk with the real writer, so the bundled demo is always
 * a valid, sealed cassette of the current format. Run: `npx node scripts/make-demo-cassette.ts`.
 * Everything in it is made up (ids, the fake key is never recorded); the clock is fixed so the
 * file only changes when the format or the writer does.
 */
import { fileURLToPath } from 'node:url';
import { createCassetteWriter } from '../src/cassette/writer.ts';
import { normalizeStep } from '../src/pipeline/canonical.ts';
import { VERSION } from '../src/version.ts';

const target = fileURLToPath(new URL('../cassettes/demo/openai-chat-stream.rpk', import.meta.url));
const model = 'gpt-4o-mini';
const created = 1795000000;
const tools = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
      },
    },
  },
];
const question = { role: 'user', content: 'What is the weather in Paris right now?' };
const requestHeaders = {
  'content-type': 'application/json',
  accept: 'text/event-stream',
  'user-agent': 'OpenAI/JS 7.57.0',
};

const writer = createCassetteWriter(target, {
  replace: true,
  normalize: normalizeStep,
  now: () => new Date('2026-11-24T09:30:00.000Z'),
  header: {
    run_id: 'run-demo-0001',
    capture: 'sdk',
    response_source: 'live',
    tool: { name: 'replaykit', version: VERSION },
    redaction: { policy: 'default' },
    meta: { description: 'Demo: a streamed chat completion that calls a tool, then a plain one' },
  },
});

// Exchange 1: streamed, the model asks for a tool.
const first = { correlation_id: 'ex-1', provider: 'openai', endpoint: 'chat.completions' } as const;
writer.append({
  ...first,
  type: 'model.request',
  offset_ms: 0,
  method: 'POST',
  url: '/v1/chat/completions',
  transport: 'http',
  stream: true,
  model,
  headers: requestHeaders,
  body: {
    model,
    stream: true,
    stream_options: { include_usage: true },
    messages: [question],
    tools,
  },
});
writer.openStream({
  ...first,
  request_id: 'req_demo_stream_1',
  offset_ms: 412,
  status: 200,
  headers: {
    'content-type': 'text/event-stream; charset=utf-8',
    'x-request-id': 'req_demo_stream_1',
  },
  format: 'sse',
});
const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
  id: 'chatcmpl-demo1',
  object: 'chat.completion.chunk',
  created,
  model,
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});
const call = (fn: object, id?: string) => ({
  tool_calls: [{ index: 0, ...(id ? { id, type: 'function' } : {}), function: fn }],
});
const frames: [number, unknown][] = [
  [415, chunk({ role: 'assistant', content: null })],
  [433, chunk(call({ name: 'get_weather', arguments: '' }, 'call_demo_1'))],
  [448, chunk(call({ arguments: '{"ci' }))],
  [461, chunk(call({ arguments: 'ty":"Pa' }))],
  [472, chunk(call({ arguments: 'ris"}' }))],
  [480, chunk({}, 'tool_calls')],
  [
    486,
    {
      ...chunk({}),
      choices: [],
      usage: { prompt_tokens: 64, completion_tokens: 16, total_tokens: 80 },
    },
  ],
  [487, '[DONE]'],
];
for (const [offset_ms, data] of frames) writer.streamEvent('ex-1', { offset_ms, data });
writer.closeStream('ex-1', {
  state: 'completed',
  assembled: {
    text: '',
    tool_calls: [
      { id: 'call_demo_1', name: 'get_weather', arguments: { city: 'Paris' }, kind: 'function' },
    ],
    usage: { prompt_tokens: 64, completion_tokens: 16, total_tokens: 80 },
    stop_reason: 'tool_calls',
    response_id: 'chatcmpl-demo1',
    model,
  },
});

// The application runs the tool.
const tool = { correlation_id: 'ex-1', provider: 'openai', endpoint: 'chat.completions' } as const;
writer.append({
  ...tool,
  type: 'tool.request',
  offset_ms: 490,
  call_id: 'call_demo_1',
  name: 'get_weather',
  kind: 'function',
  arguments: { city: 'Paris' },
});
writer.append({
  ...tool,
  type: 'tool.response',
  correlation_id: 'ex-2',
  offset_ms: 530,
  call_id: 'call_demo_1',
  name: 'get_weather',
  // As the provider module derives it from a Chat `role: tool` message: the content string.
  kind: 'tool',
  output: JSON.stringify({ city: 'Paris', temperature_c: 11, conditions: 'light rain' }),
});

// Exchange 2: not streamed, the tool result goes back and the model answers.
const second = {
  correlation_id: 'ex-2',
  provider: 'openai',
  endpoint: 'chat.completions',
} as const;
const toolCallMessage = {
  role: 'assistant',
  content: null,
  tool_calls: [
    {
      id: 'call_demo_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    },
  ],
};
const toolResult = {
  role: 'tool',
  tool_call_id: 'call_demo_1',
  content: '{"city":"Paris","temperature_c":11,"conditions":"light rain"}',
};
writer.append({
  ...second,
  type: 'model.request',
  offset_ms: 535,
  method: 'POST',
  url: '/v1/chat/completions',
  transport: 'http',
  stream: false,
  model,
  headers: { ...requestHeaders, accept: 'application/json' },
  body: { model, messages: [question, toolCallMessage, toolResult], tools },
});
const answer = 'It is 11 °C in Paris right now, with light rain. Take an umbrella.';
writer.append({
  ...second,
  type: 'model.response',
  request_id: 'req_demo_plain_2',
  offset_ms: 1210,
  status: 200,
  headers: { 'content-type': 'application/json', 'x-request-id': 'req_demo_plain_2' },
  body: {
    id: 'chatcmpl-demo2',
    object: 'chat.completion',
    created: created + 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 98, completion_tokens: 19, total_tokens: 117 },
  },
  assembled: {
    text: answer,
    tool_calls: [],
    usage: { prompt_tokens: 98, completion_tokens: 19, total_tokens: 117 },
    stop_reason: 'stop',
    response_id: 'chatcmpl-demo2',
    model,
  },
});

const { steps, sha256 } = writer.seal();
process.stdout.write(`wrote ${target}: ${steps} steps, sha256 ${sha256}\n`);
