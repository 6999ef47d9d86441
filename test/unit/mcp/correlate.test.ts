/**
 * Which model tool call an MCP `tools/call` answers, most specific first: a call id in `_meta`
 * (Claude Code's `claudecode/toolUseId`), the newest open call named for the tool, then the
 * newest open call (Codex calls MCP tools from inside its `exec` tool).
 */
import { expect, test } from 'vitest';
import type { StepInput } from '../../../src/cassette/schema.ts';
import { McpCallIndex } from '../../../src/mcp/correlate.ts';

const base = { offset_ms: 0, endpoint: 'messages', provider: 'anthropic' as const };
const asked = (correlation_id: string, call_id: string, name: string): StepInput => ({
  ...base,
  type: 'tool.request',
  correlation_id,
  call_id,
  name,
  kind: 'tool_use',
  arguments: {},
});
const answered = (correlation_id: string, call_id: string): StepInput => ({
  ...base,
  type: 'tool.response',
  correlation_id,
  call_id,
  kind: 'tool_result',
  output: 'ok',
});

test('a call id in _meta wins over names and order', () => {
  const index = new McpCallIndex();
  index.add(asked('lx-1', 'toolu_a', 'mcp__fs__read'));
  index.add(asked('lx-2', 'toolu_b', 'mcp__fs__read'));
  expect(
    index.find({ server: 'fs', tool: 'read', meta: { 'claudecode/toolUseId': 'toolu_a' } }),
  ).toEqual({
    correlation_id: 'lx-1',
    call_id: 'toolu_a',
  });
});

test('else the newest open call named mcp__<server>__<tool>, skipping answered ones and other tools', () => {
  const index = new McpCallIndex();
  index.add(asked('lx-1', 'toolu_a', 'mcp__fs__read'));
  index.add(asked('lx-2', 'toolu_b', 'mcp__fs__read'));
  index.add(asked('lx-2', 'toolu_c', 'Bash'));
  index.add(answered('lx-3', 'toolu_b'));
  expect(index.find({ server: 'fs', tool: 'read', meta: undefined })).toEqual({
    correlation_id: 'lx-1',
    call_id: 'toolu_a',
  });
});

test('else the newest open call (Codex: the exec call running the MCP tool)', () => {
  const index = new McpCallIndex();
  index.add({ ...asked('lx-1', 'call_exec', 'exec'), provider: 'openai', endpoint: 'responses' });
  expect(index.find({ server: 'everything', tool: 'echo', meta: { callId: 'exec-123' } })).toEqual({
    correlation_id: 'lx-1',
    call_id: 'call_exec',
  });
  index.add({ ...answered('lx-2', 'call_exec'), provider: 'openai', endpoint: 'responses' });
  expect(index.find({ server: 'everything', tool: 'echo', meta: undefined })).toBeNull();
});

test('MCP steps and agent-ingested steps are not model calls', () => {
  const index = new McpCallIndex();
  index.add({ ...asked('m-1', 'x', 'echo'), provider: 'mcp', endpoint: 'tools/call' });
  index.add({ ...asked('a-1', 'y', 'echo'), endpoint: 'agent:claude-code' });
  expect(index.find({ server: 's', tool: 'echo', meta: undefined })).toBeNull();
});
