/**
 * The MCP shim's replay: recorded messages (as the listener wrote them, through the same
 * recorder) answer a live client under its own ids; notifications and server requests come back
 * where they were recorded; a request the recording lacks gets a JSON-RPC error naming the
 * divergence.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Step } from '../../../src/cassette/schema.ts';
import { MCP_DIVERGENCE_CODE, McpReplayer } from '../../../src/mcp/replay.ts';
import { McpRecorder, type McpSide } from '../../../src/mcp/steps.ts';

const line = (v: unknown) => JSON.stringify(v);

/** Records a conversation through McpRecorder and gives back indexed steps, as read from disk. */
function record(server: string, wire: [McpSide, unknown][]): Step[] {
  const recorder = new McpRecorder({ server, session: 's1' });
  return wire
    .flatMap(([from, message]) => recorder.line(from, line(message)))
    .map((step, index) => ({ ...step, index }) as Step);
}

const INIT = {
  protocolVersion: '2025-06-18',
  capabilities: {},
  clientInfo: { name: 'c', version: '1' },
};
const WIRE: [McpSide, unknown][] = [
  ['client', { jsonrpc: '2.0', id: 0, method: 'initialize', params: INIT }],
  [
    'server',
    {
      jsonrpc: '2.0',
      id: 0,
      result: { protocolVersion: '2025-06-18', capabilities: { tools: {} } },
    },
  ],
  ['client', { jsonrpc: '2.0', method: 'notifications/initialized' }],
  ['server', { jsonrpc: '2.0', id: 'srv-1', method: 'roots/list' }],
  ['client', { jsonrpc: '2.0', id: 'srv-1', result: { roots: [] } }],
  [
    'client',
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'echo',
        arguments: { message: 'hi' },
        _meta: { 'claudecode/toolUseId': 'toolu_1' },
      },
    },
  ],
  [
    'server',
    { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'echoing' } },
  ],
  ['server', { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'Echo: hi' }] } }],
  [
    'client',
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'nope', arguments: {} } },
  ],
  ['server', { jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'Unknown tool: nope' } }],
];

const parse = (lines: string[]) => lines.map((l) => JSON.parse(l));

describe('McpRecorder', () => {
  test('requests, responses and notifications become tool and agent steps with server, method and id', () => {
    const steps = record('everything', WIRE);
    expect(steps.map((s) => [s.type, s.endpoint])).toEqual([
      ['tool.request', 'initialize'],
      ['tool.response', 'initialize'],
      ['agent.event', 'notifications/initialized'],
      ['tool.request', 'roots/list'],
      ['tool.response', 'roots/list'],
      ['tool.request', 'tools/call'],
      ['agent.event', 'notifications/message'],
      ['tool.response', 'tools/call'],
      ['tool.request', 'tools/call'],
      ['tool.response', 'tools/call'],
    ]);
    expect(steps.every((s) => s.provider === 'mcp')).toBe(true);
    const call = steps[5]!;
    expect(call).toMatchObject({
      name: 'echo',
      kind: 'mcp',
      mcp: { server: 'everything', method: 'tools/call', id: 1, from: 'client' },
    });
    // A response shares its request's correlation id, whichever side asked.
    expect(steps[7]!.correlation_id).toBe(call.correlation_id);
    expect(steps[4]!.correlation_id).toBe(steps[3]!.correlation_id);
    expect(steps[4]).toMatchObject({ mcp: { method: 'roots/list', from: 'client' } });
    expect(steps[9]).toMatchObject({ is_error: true, mcp: { error: true, id: 2 } });
  });

  test('a tools/call the model asked for shares its correlation id and call id', () => {
    const recorder = new McpRecorder({
      server: 'everything',
      session: 's',
      link: (q) =>
        q.tool === 'echo' &&
        (q.meta as Record<string, string>)['claudecode/toolUseId'] === 'toolu_1'
          ? { correlation_id: 'lx-0001', call_id: 'toolu_1' }
          : null,
    });
    const [request] = recorder.line('client', line(WIRE[5]![1]));
    const [response] = recorder.line('server', line(WIRE[7]![1]));
    expect(request).toMatchObject({ correlation_id: 'lx-0001', call_id: 'toolu_1' });
    expect(response).toMatchObject({ correlation_id: 'lx-0001', call_id: 'toolu_1', name: 'echo' });
  });

  test('a line that is not JSON-RPC becomes an error.event and nothing else', () => {
    const recorder = new McpRecorder({ server: 'x', session: 's' });
    const [step] = recorder.line('server', 'Starting server...');
    expect(step).toMatchObject({ type: 'error.event', source: 'parse', code: 'E_MCP_PARSE' });
  });
});

describe('McpReplayer', () => {
  const replayer = () =>
    new McpReplayer(record('everything', WIRE), { server: 'everything', cassette: 'c.rpk' });

  test('answers each request under the live id, with what the server sent on its own in between', () => {
    const r = replayer();
    expect(
      parse(r.receive(line({ jsonrpc: '2.0', id: 41, method: 'initialize', params: INIT }))),
    ).toEqual([
      {
        jsonrpc: '2.0',
        id: 41,
        result: { protocolVersion: '2025-06-18', capabilities: { tools: {} } },
      },
    ]);
    // The server's own request followed the client's notification in the recording.
    expect(parse(r.receive(line({ jsonrpc: '2.0', method: 'notifications/initialized' })))).toEqual(
      [{ jsonrpc: '2.0', id: 'srv-1', method: 'roots/list' }],
    );
    // The client's answer to it needs no reply.
    expect(
      r.receive(
        line({ jsonrpc: '2.0', id: 'srv-1', result: { roots: [{ uri: 'file:///elsewhere' }] } }),
      ),
    ).toEqual([]);
    // `_meta` holds per-run ids: left out of matching.
    const call = {
      name: 'echo',
      arguments: { message: 'hi' },
      _meta: { 'claudecode/toolUseId': 'toolu_other' },
    };
    expect(
      parse(r.receive(line({ jsonrpc: '2.0', id: 'abc', method: 'tools/call', params: call }))),
    ).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: 'echoing' },
      },
      { jsonrpc: '2.0', id: 'abc', result: { content: [{ type: 'text', text: 'Echo: hi' }] } },
    ]);
    // A recorded JSON-RPC error replays as one.
    expect(
      parse(
        r.receive(
          line({
            jsonrpc: '2.0',
            id: 3,
            method: 'tools/call',
            params: { name: 'nope', arguments: {} },
          }),
        ),
      ),
    ).toEqual([{ jsonrpc: '2.0', id: 3, error: { code: -32602, message: 'Unknown tool: nope' } }]);
  });

  test('a request the recording lacks gets a JSON-RPC error naming the first difference', () => {
    const r = replayer();
    const [answer] = parse(
      r.receive(
        line({
          jsonrpc: '2.0',
          id: 9,
          method: 'tools/call',
          params: { name: 'echo', arguments: { message: 'ho' } },
        }),
      ),
    );
    expect(answer).toMatchObject({
      jsonrpc: '2.0',
      id: 9,
      error: {
        code: MCP_DIVERGENCE_CODE,
        data: {
          code: 'E_REPLAY_DIVERGENCE',
          path: 'params.arguments.message',
          expected: 'hi',
          actual: 'ho',
        },
      },
    });
    expect(answer.error.message).toMatch(
      /^\[replaykit\] Failed to replay MCP request "tools\/call" to server "everything" from "c\.rpk".*First difference: params\.arguments\.message: expected "hi" but got "ho"/,
    );
    const [unknown] = parse(r.receive(line({ jsonrpc: '2.0', id: 10, method: 'prompts/list' })));
    expect(unknown.error.message).toContain(
      'no "prompts/list" request was recorded (recorded: initialize, tools/call)',
    );
  });

  test('a request asked again more often than recorded gets the recorded answer again', () => {
    const r = replayer();
    const ask = (id: number) =>
      parse(r.receive(line({ jsonrpc: '2.0', id, method: 'initialize', params: INIT })));
    expect(ask(1)[0]).toMatchObject({ id: 1, result: { protocolVersion: '2025-06-18' } });
    expect(ask(2)[0]).toMatchObject({ id: 2, result: { protocolVersion: '2025-06-18' } });
  });

  test('only the named server is replayed', () => {
    const r = new McpReplayer(record('everything', WIRE), { server: 'other', cassette: 'c.rpk' });
    expect(r.size).toBe(0);
    const [answer] = parse(
      r.receive(line({ jsonrpc: '2.0', id: 1, method: 'initialize', params: INIT })),
    );
    expect(answer.error.code).toBe(MCP_DIVERGENCE_CODE);
  });
});

describe('McpReplayer under any order', () => {
  test('requests replayed in any order, under any ids, each get their own recorded answer', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        fc.uniqueArray(fc.oneof(fc.nat(), fc.string({ minLength: 1 })), {
          minLength: 6,
          maxLength: 6,
        }),
        fc.boolean(),
        fc.infiniteStream(fc.nat()),
        (messages, liveIds, answerLate, picks) => {
          // Recorded: every request first, then the answers in reverse (a concurrent client).
          const requests: [McpSide, unknown][] = messages.map((m, i) => [
            'client',
            {
              jsonrpc: '2.0',
              id: i,
              method: 'tools/call',
              params: { name: 'echo', arguments: { m } },
            },
          ]);
          const answers: [McpSide, unknown][] = messages.map((m, i) => [
            'server',
            { jsonrpc: '2.0', id: i, result: { content: [{ type: 'text', text: `Echo: ${m}` }] } },
          ]);
          const wire = answerLate
            ? [...requests, ...answers.reverse()]
            : requests.flatMap((r, i) => [r, answers[i]!]);
          const r = new McpReplayer(record('s', wire), { server: 's', cassette: 'c.rpk' });
          const order = [...messages.keys()];
          const it = picks[Symbol.iterator]();
          for (let i = order.length - 1; i > 0; i--) {
            const j = (it.next().value as number) % (i + 1);
            [order[i], order[j]] = [order[j]!, order[i]!];
          }
          for (const k of order) {
            const id = liveIds[k]!;
            const got = parse(
              r.receive(
                line({
                  jsonrpc: '2.0',
                  id,
                  method: 'tools/call',
                  params: { name: 'echo', arguments: { m: messages[k] } },
                }),
              ),
            );
            expect(got).toEqual([
              {
                jsonrpc: '2.0',
                id,
                result: { content: [{ type: 'text', text: `Echo: ${messages[k]}` }] },
              },
            ]);
          }
        },
      ),
    );
  });
});
