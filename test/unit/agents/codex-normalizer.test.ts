import { describe, expect, it } from 'vitest';
import type { ModelRequest } from '../../../src/cassette/schema.ts';
import { normalizeRequest } from '../../../src/providers/index.ts';

// Two `codex exec` runs of the same prompt (codex-cli 0.169.0), reduced to the fields that differ.
function codexRequest(run: { id: string; home: string; date: string; ms: number; wall: string }) {
  const request: ModelRequest = {
    type: 'model.request',
    index: 0,
    correlation_id: 'c',
    provider: 'openai',
    endpoint: 'responses',
    offset_ms: 0,
    method: 'POST',
    url: '/v1/responses',
    transport: 'http',
    stream: true,
    model: 'gpt-test',
    headers: { originator: 'codex_exec', 'session-id': run.id },
    body: {
      model: 'gpt-test',
      prompt_cache_key: run.id,
      client_metadata: {
        session_id: run.id,
        turn_id: `${run.id}-t`,
        'x-codex-window-id': `${run.id}:0`,
        'x-codex-ws-stream-request-start-ms': String(run.ms),
        'x-codex-turn-metadata': JSON.stringify({
          session_id: run.id,
          turn_started_at_unix_ms: run.ms,
          sandbox: 'seccomp',
        }),
        mcp_attribution: '{"status":"none"}',
      },
      input: [
        {
          type: 'message',
          id: `msg_${run.id}`,
          role: 'user',
          content: [
            {
              type: 'input_text',
              text: `<environment_context>\n  <cwd>${run.home}</cwd>\n  <current_date>${run.date}</current_date>\n</environment_context>`,
            },
          ],
          internal_chat_message_metadata_passthrough: {
            turn_id: run.id,
            create_time: run.ms / 1000,
          },
        },
        {
          type: 'message',
          id: `msg2_${run.id}`,
          role: 'user',
          content: [{ type: 'input_text', text: 'run the echo command' }],
        },
        {
          type: 'custom_tool_call_output',
          id: `ctco_${run.id}`,
          call_id: 'call_1',
          output: [
            {
              type: 'input_text',
              text: `Script completed\nWall time ${run.wall} seconds\nOutput:\n`,
            },
          ],
        },
      ],
    },
  };
  return request;
}

describe('Codex request normaliser', () => {
  const a = codexRequest({
    id: '01a2-aaaa',
    home: '/tmp/a',
    date: '2026-11-24',
    ms: 1795489120696,
    wall: '0.3',
  });
  const b = codexRequest({
    id: '01a2-bbbb',
    home: '/tmp/b',
    date: '2026-11-25',
    ms: 1795489999999,
    wall: '0.1',
  });

  it('ignores the per-run ids, clocks, working directory and date of two runs of the same prompt', () => {
    expect(normalizeRequest(b)).toEqual(normalizeRequest(a));
  });

  it('still tells a different prompt or tool output apart', () => {
    const prompt = structuredClone(b);
    (prompt.body as { input: { content: { text: string }[] }[] }).input[1]!.content[0]!.text =
      'something else';
    expect(normalizeRequest(prompt)).not.toEqual(normalizeRequest(a));
    const output = structuredClone(b);
    (output.body as { input: { call_id: string }[] }).input[2]!.call_id = 'call_2';
    expect(normalizeRequest(output)).not.toEqual(normalizeRequest(a));
  });
});
