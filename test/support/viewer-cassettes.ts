/**
 * Cassettes for the viewer's browser tests and bench, written with the real writer: one run that
 * holds everything the viewer must highlight (tool pairs across exchanges, MCP, an interrupted
 * stream, an `error.event`, an HTTP error, agent events, redaction markers) with hostile text in
 * every field a page shows, and a large run of streamed exchanges for the bench.
 */
import { createCassetteWriter } from '../../src/cassette/writer.ts';
import { normalizeStep } from '../../src/pipeline/canonical.ts';
import { VERSION } from '../../src/version.ts';

/** Text a careless page would execute: each must show up as text and never run. */
export const HOSTILE = [
  '<img src=x onerror="window.__xss=1">',
  '</script><script>window.__xss=2</script>',
  '"><svg onload="window.__xss=3">',
  '<a href="javascript:window.__xss=4">click</a>',
  '\u2028<!--',
];
const H = HOSTILE.join(' ');

/**
 * `changed`: the same run as a reviewer would see it after a change: the prompt says "List all
 * the files", Bash is called with `ls -la`, and a Gemini exchange is inserted before the last one.
 */
export function writeMixedCassette(
  file: string,
  options: { synthetic?: boolean; changed?: boolean } = {},
): void {
  const ask = options.changed ? 'List all the files' : 'List the files';
  const command = options.changed ? 'ls -la' : 'ls';
  const w = createCassetteWriter(file, {
    header: {
      run_id: 'viewer-mixed',
      capture: 'passive',
      response_source: options.synthetic ? 'synthetic' : 'live',
      tool: { name: 'replaykit', version: 'test' },
      redaction: { policy: 'default' },
    },
    normalize: normalizeStep,
    replace: true,
    now: () => new Date('2026-12-01T10:00:00Z'),
  });
  const anth = { provider: 'anthropic', endpoint: 'messages' } as const;
  // 0: Claude asks for a Bash tool (streamed tool_use).
  w.append({
    ...anth,
    type: 'model.request',
    correlation_id: 'a1',
    offset_ms: 0,
    method: 'POST',
    url: '/v1/messages',
    transport: 'http',
    stream: true,
    model: 'claude-sonnet-4-5',
    headers: { 'x-api-key': '[REDACTED:abc123]' },
    body: {
      model: 'claude-sonnet-4-5',
      system: `You are careful. ${H}`,
      messages: [{ role: 'user', content: `${ask} ${H}` }],
    },
  });
  w.openStream({
    ...anth,
    correlation_id: 'a1',
    offset_ms: 10,
    status: 200,
    headers: {},
    format: 'sse',
  });
  const events = [
    { type: 'message_start', message: { usage: { input_tokens: 1200, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me look. ' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: H } },
    { type: 'content_block_stop', index: 0 },
    {
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} },
    },
    {
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: JSON.stringify({ command }) },
    },
    { type: 'content_block_stop', index: 1 },
    { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 40 } },
    { type: 'message_stop' },
  ];
  for (const [i, data] of events.entries()) {
    w.streamEvent('a1', { offset_ms: 12 + i * 40, event: data.type, data });
  }
  w.closeStream('a1', {
    state: 'completed',
    offset_ms: 420,
    assembled: {
      text: `Let me look. ${H}`,
      tool_calls: [{ id: 'toolu_1', name: 'Bash', arguments: { command }, kind: 'tool_use' }],
      usage: {
        input_tokens: 1200,
        output_tokens: 40,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
      stop_reason: 'tool_use',
      model: 'claude-sonnet-4-5',
    },
  });
  w.append({
    ...anth,
    type: 'tool.request',
    correlation_id: 'a1',
    offset_ms: 420,
    call_id: 'toolu_1',
    name: 'Bash',
    kind: 'tool_use',
    arguments: { command },
  });
  w.append({
    ...anth,
    type: 'tool.response',
    correlation_id: 'a2',
    offset_ms: 500,
    call_id: 'toolu_1',
    name: 'Bash',
    kind: 'tool_result',
    output: `README.md ${H}`,
    is_error: false,
  });
  // 1: the tool result goes back; the upstream is overloaded (HTTP 529 and an error.event).
  w.append({
    ...anth,
    type: 'model.request',
    correlation_id: 'a2',
    offset_ms: 500,
    method: 'POST',
    url: '/v1/messages',
    transport: 'http',
    stream: false,
    model: 'claude-sonnet-4-5',
    headers: {},
    body: {
      model: 'claude-sonnet-4-5',
      messages: [
        { role: 'user', content: `${ask} ${H}` },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command } }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: `README.md ${H}` }],
        },
      ],
    },
  });
  w.append({
    ...anth,
    type: 'model.response',
    correlation_id: 'a2',
    offset_ms: 700,
    status: 529,
    headers: {},
    body: { type: 'error', error: { type: 'overloaded_error', message: `Overloaded ${H}` } },
  });
  w.append({
    ...anth,
    type: 'error.event',
    correlation_id: 'a2',
    offset_ms: 700,
    source: 'upstream',
    code: 'overloaded_error',
    message: `Overloaded ${H}`,
  });
  if (options.changed) {
    const gm = { provider: 'gemini', endpoint: 'generateContent' } as const;
    w.append({
      ...gm,
      type: 'model.request',
      correlation_id: 'g1',
      offset_ms: 750,
      method: 'POST',
      url: '/v1beta/models/gemini-2.5-flash:generateContent',
      transport: 'http',
      stream: false,
      model: 'gemini-2.5-flash',
      headers: {},
      body: { contents: [{ role: 'user', parts: [{ text: 'Summarise the files' }] }] },
    });
    w.append({
      ...gm,
      type: 'model.response',
      correlation_id: 'g1',
      offset_ms: 790,
      status: 200,
      headers: {},
      body: { candidates: [{ content: { role: 'model', parts: [{ text: 'One README.' }] } }] },
      assembled: {
        text: 'One README.',
        tool_calls: [],
        usage: { promptTokenCount: 12, candidatesTokenCount: 3 },
        model: 'gemini-2.5-flash',
      },
    });
  }
  // 2: OpenAI Responses, streamed, cut short mid-answer; an MCP tool was called on the way.
  const oa = { provider: 'openai', endpoint: 'responses' } as const;
  w.append({
    ...oa,
    type: 'model.request',
    correlation_id: 'o1',
    offset_ms: 800,
    method: 'POST',
    url: '/v1/responses',
    transport: 'http',
    stream: true,
    model: 'gpt-5-mini',
    headers: { authorization: 'Bearer [REDACTED:def456]' },
    body: {
      model: 'gpt-5-mini',
      instructions: 'Answer briefly.',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'Echo hello through MCP' }],
        },
        {
          type: 'function_call',
          call_id: 'call_mcp',
          name: 'mcp__everything__echo',
          arguments: '{"message":"hello"}',
        },
        { type: 'function_call_output', call_id: 'call_mcp', output: 'Echo: hello' },
      ],
    },
  });
  w.append({
    ...oa,
    type: 'tool.request',
    correlation_id: 'o1',
    offset_ms: 800,
    call_id: 'call_mcp',
    name: 'mcp__everything__echo',
    kind: 'mcp',
    arguments: { message: 'hello' },
  });
  w.append({
    ...oa,
    type: 'tool.response',
    correlation_id: 'o1',
    offset_ms: 800,
    call_id: 'call_mcp',
    name: 'mcp__everything__echo',
    kind: 'mcp',
    output: 'Echo: hello',
  });
  w.openStream({
    ...oa,
    correlation_id: 'o1',
    offset_ms: 820,
    status: 200,
    headers: {},
    format: 'sse',
  });
  for (const [i, delta] of ['It ', 'says ', 'hel'].entries()) {
    w.streamEvent('o1', {
      offset_ms: 30 + i * 25,
      event: 'response.output_text.delta',
      data: { type: 'response.output_text.delta', delta },
    });
  }
  w.closeStream('o1', {
    state: 'interrupted',
    offset_ms: 900,
    assembled: { text: 'It says hel', tool_calls: [] },
    diagnostics: [{ message: 'the connection closed before response.completed' }],
  });
  // An agent's own events (Codex --json), tied to the exchange above.
  w.append({
    ...oa,
    type: 'agent.event',
    correlation_id: 'o1',
    offset_ms: 950,
    agent: 'codex',
    session_id: 'thread-1',
    event: { type: 'item.completed', item: { type: 'agent_message', text: H } },
  });
  w.append({
    ...oa,
    type: 'agent.event',
    correlation_id: 'o1',
    offset_ms: 960,
    agent: 'codex',
    session_id: 'thread-1',
    event: { type: 'turn.completed', usage: { input_tokens: 10 } },
  });
  w.seal();
  w.close();
}

/**
 * `count` streamed Chat Completions exchanges of `events` events each (the bench's 10,000-exchange
 * cassette). Not sealed canonically: the listener's content seal, as large captures have.
 */
export function writeLargeStreamedCassette(file: string, count: number, events = 20): void {
  const w = createCassetteWriter(file, {
    header: {
      run_id: 'viewer-large',
      capture: 'passive',
      response_source: 'live',
      // Written by this very replaykit, as a listener's capture is: readers trust its seal.
      tool: { name: 'replaykit', version: VERSION },
      redaction: { policy: 'default' },
    },
    hash: 'content',
    replace: true,
    fsyncIntervalMs: 60_000,
  });
  const base = { provider: 'openai', endpoint: 'chat.completions' } as const;
  for (let i = 0; i < count; i++) {
    const cid = `c${i}`;
    w.append({
      ...base,
      type: 'model.request',
      correlation_id: cid,
      offset_ms: i * 10,
      method: 'POST',
      url: '/v1/chat/completions',
      transport: 'http',
      stream: true,
      model: 'gpt-4o-mini',
      headers: { 'content-type': 'application/json' },
      body: {
        model: 'gpt-4o-mini',
        stream: true,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: `question ${i}` },
        ],
      },
    });
    w.openStream({
      ...base,
      correlation_id: cid,
      offset_ms: i * 10 + 1,
      status: 200,
      headers: {},
      format: 'sse',
    });
    for (let e = 0; e < events; e++) {
      w.streamEvent(cid, {
        offset_ms: e,
        data: {
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: { content: `word${e} ` }, finish_reason: null }],
        },
      });
    }
    w.streamEvent(cid, { offset_ms: events, data: '[DONE]' });
    w.closeStream(cid, {
      state: 'completed',
      offset_ms: i * 10 + 5,
      assembled: {
        text: 'words',
        tool_calls: [],
        usage: { prompt_tokens: 20, completion_tokens: events },
        stop_reason: 'stop',
        model: 'gpt-4o-mini',
      },
    });
  }
  w.seal();
  w.close();
}
