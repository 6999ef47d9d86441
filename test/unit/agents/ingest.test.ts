import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type IngestSummary, ingestText, ModelStepIndex } from '../../../src/agents/index.ts';
import type { AgentName } from '../../../src/agents/types.ts';
import type { StepInput } from '../../../src/cassette/schema.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/agents/${name}`, import.meta.url), 'utf8');

function ingest(agent: AgentName, text: string, index?: ModelStepIndex) {
  const steps: StepInput[] = [];
  const summary: IngestSummary = ingestText(text, {
    agent,
    emit: (s) => steps.push(s),
    ...(index ? { index } : {}),
  });
  return { steps, summary };
}

describe('codex exec --json (fixtures from codex-cli 0.169.0)', () => {
  it('maps a command execution to a tool.request/tool.response pair and the reply to an agent message', () => {
    const { steps, summary } = ingest('codex', fixture('codex-tool.jsonl'));
    const session = summary.session_id;
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    const request = steps.find((s) => s.type === 'tool.request');
    expect(request).toMatchObject({
      call_id: 'item_0',
      kind: 'command_execution',
      arguments: { command: "/bin/bash -lc 'echo tool-output-42'" },
      correlation_id: `codex:${session}:item_0`,
      provider: 'openai',
    });
    const responses = steps.filter((s) => s.type === 'tool.response');
    expect(responses[0]).toMatchObject({
      call_id: 'item_0',
      output: { output: 'tool-output-42\n', exit_code: 0 },
      is_error: false,
      correlation_id: `codex:${session}:item_0`,
    });
    expect(responses[1]).toMatchObject({ kind: 'agent_message', output: 'All done here.' });
    // thread.started, turn.started, turn.completed are kept whole, with the session.
    const events = steps.filter((s) => s.type === 'agent.event');
    expect(events.map((e) => (e.event as { type: string }).type)).toEqual([
      'thread.started',
      'turn.started',
      'turn.completed',
    ]);
    expect(events.every((e) => e.session_id === session)).toBe(true);
    expect(summary).toMatchObject({ lines: 6, parse_errors: 0, steps: 6 });
  });

  it('maps error and turn.failed to error.event with the upstream message', () => {
    const { steps } = ingest('codex', fixture('codex-error.jsonl'));
    const errors = steps.filter((s) => s.type === 'error.event');
    expect(errors.map((e) => e.code)).toEqual(['error', 'turn_failed']);
    expect(errors[1]?.message).toContain('Invalid model for this key');
    expect(errors.every((e) => e.source === 'agent')).toBe(true);
  });

  it('pairs an item seen only completed, and maps MCP failures and unknown types', () => {
    const lines = [
      { type: 'thread.started', thread_id: 't-1' },
      {
        type: 'item.completed',
        item: {
          id: 'item_3',
          type: 'file_change',
          changes: [{ path: 'a.ts', kind: 'add' }],
          status: 'completed',
        },
      },
      {
        type: 'item.completed',
        item: {
          id: 'item_4',
          type: 'mcp_tool_call',
          server: 'docs',
          tool: 'search',
          arguments: { q: 'x' },
          error: { message: 'boom' },
          status: 'failed',
        },
      },
      { type: 'item.completed', item: { id: 'item_5', type: 'reasoning', text: 'thinking' } },
      { type: 'item.completed', item: { id: 'item_6', type: 'error', message: 'sandbox denied' } },
      { type: 'session.configured', whatever: 1 },
    ];
    const { steps } = ingest('codex', lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(steps.map((s) => `${s.type}:${'kind' in s ? s.kind : ''}`)).toEqual([
      'agent.event:',
      'tool.request:file_change',
      'tool.response:file_change',
      'tool.request:mcp_tool_call',
      'tool.response:mcp_tool_call',
      'agent.event:',
      'error.event:',
      'agent.event:',
    ]);
    expect(steps[4]).toMatchObject({ name: 'search', is_error: true, output: { message: 'boom' } });
    expect(steps[6]).toMatchObject({ code: 'item_error', message: 'sandbox denied' });
    expect(steps[7]).toMatchObject({ event: { type: 'session.configured' }, session_id: 't-1' });
  });
});

describe('claude -p stream-json (fixtures from Claude Code 2.1.330)', () => {
  it('maps tool_use → tool.request, tool_result → tool.response, text → agent message', () => {
    const { steps, summary } = ingest('claude-code', fixture('claude-code-tool.ndjson'));
    const session = summary.session_id;
    expect(steps.map((s) => s.type)).toEqual([
      'agent.event',
      'tool.request',
      'tool.response',
      'tool.response',
      'agent.event',
    ]);
    expect(steps[1]).toMatchObject({
      call_id: 'toolu_fake0001',
      name: 'Bash',
      arguments: { command: 'echo tool-output-42' },
      correlation_id: `claude-code:${session}:toolu_fake0001`,
    });
    expect(steps[2]).toMatchObject({
      call_id: 'toolu_fake0001',
      name: 'Bash',
      output: 'tool-output-42',
      is_error: false,
    });
    expect(steps[3]).toMatchObject({ kind: 'agent_message', output: 'All done here.' });
    expect(steps[4]).toMatchObject({ event: { type: 'result', result: 'All done here.' } });
  });

  it('maps an API error message and an error result to error.event', () => {
    const { steps } = ingest('claude-code', fixture('claude-code-error.ndjson'));
    const errors = steps.filter((s) => s.type === 'error.event');
    expect(errors[0]).toMatchObject({
      source: 'agent',
      code: 'authentication_error',
      message: 'Invalid API key · Fix external API key',
    });
    expect(errors[1]).toMatchObject({ source: 'agent', code: 'result_error' });
  });
});

describe('unreadable lines', () => {
  it('become error.events with their line number and never stop ingestion', () => {
    const good = fixture('claude-code-tool.ndjson').trimEnd().split('\n');
    const text = [good[0], '{"type":"assistant", truncated', '', '42', ...good.slice(1)].join('\n');
    const { steps, summary } = ingest('claude-code', text);
    const errors = steps.filter((s) => s.type === 'error.event');
    expect(errors.map((e) => [e.line, e.code, e.source])).toEqual([
      [2, 'E_AGENT_PARSE', 'parse'],
      [4, 'E_AGENT_PARSE', 'parse'],
    ]);
    expect(errors[0]?.message).toMatch(
      /^Failed to read line 2 of the claude-code event stream: it is not JSON/,
    );
    expect(errors[0]?.detail).toEqual({ text: '{"type":"assistant", truncated' });
    expect(summary).toMatchObject({ parse_errors: 2, lines: 4 + good.length - 1 });
    // Everything after the bad lines was still ingested.
    expect(steps.some((s) => s.type === 'tool.response' && s.kind === 'agent_message')).toBe(true);
  });

  it('survive any bytes (binary, CRLF, BOM, a huge line)', () => {
    const text = `\uFEFF{"type":"turn.started"}\r\n\u0000\u0001\r\n${'x'.repeat(100_000)}`;
    const { steps } = ingest('codex', text);
    expect(steps.map((s) => s.type)).toEqual(['agent.event', 'error.event', 'error.event']);
    expect(JSON.stringify(steps[2]).length).toBeLessThan(6000);
  });
});

describe('correlation with captured model steps', () => {
  const base = { provider: 'anthropic', endpoint: 'messages', offset_ms: 0 } as const;
  it('ties Claude Code steps to the exchanges of the same session by call id and request id', () => {
    const session = '507af3bc-a565-448f-aefe-3de43dfe9d83';
    const text = fixture('claude-code-tool.ndjson').replace(
      /"session_id":"[^"]+"/g,
      `"session_id":"${session}"`,
    );
    const index = new ModelStepIndex();
    const captured: StepInput[] = [
      {
        type: 'model.request',
        ...base,
        correlation_id: 'lx-1',
        method: 'POST',
        url: '/v1/messages?beta=true',
        transport: 'http',
        stream: true,
        headers: { 'x-claude-code-session-id': session },
      },
      {
        type: 'model.response',
        ...base,
        correlation_id: 'lx-1',
        request_id: 'req_fake_0001',
        status: 200,
        headers: {},
      },
      {
        type: 'tool.request',
        ...base,
        correlation_id: 'lx-1',
        call_id: 'toolu_fake0001',
        name: 'Bash',
        kind: 'tool_use',
        arguments: {},
      },
      {
        type: 'tool.response',
        ...base,
        correlation_id: 'lx-2',
        call_id: 'toolu_fake0001',
        name: 'Bash',
        kind: 'tool_result',
        output: 'tool-output-42',
      },
      {
        type: 'model.request',
        ...base,
        correlation_id: 'lx-2',
        method: 'POST',
        url: '/v1/messages?beta=true',
        transport: 'http',
        stream: true,
        headers: { 'x-claude-code-session-id': session },
      },
      {
        type: 'model.response',
        ...base,
        correlation_id: 'lx-2',
        request_id: 'req_fake_0002',
        status: 200,
        headers: {},
      },
    ];
    for (const s of captured) index.add(s);
    const { steps, summary } = ingest('claude-code', text, index);
    expect(steps.filter((s) => s.type !== 'agent.event').map((s) => s.correlation_id)).toEqual([
      'lx-1',
      'lx-2',
      'lx-2',
    ]);
    expect(summary.linked).toBe(3);
  });

  it('does not tie steps to another session', () => {
    const index = new ModelStepIndex();
    index.add({
      type: 'model.request',
      ...base,
      correlation_id: 'other',
      method: 'POST',
      url: '/v1/messages',
      transport: 'http',
      stream: true,
      headers: { 'x-claude-code-session-id': 'someone-else' },
    });
    index.add({
      type: 'tool.request',
      ...base,
      correlation_id: 'other',
      call_id: 'toolu_fake0001',
      name: 'Bash',
      kind: 'tool_use',
      arguments: {},
    });
    const { summary } = ingest('claude-code', fixture('claude-code-tool.ndjson'), index);
    expect(summary.linked).toBe(0);
  });
});
