/**
 * `codex exec --json` JSONL → drafts. Codex reports a session as `thread.started{thread_id}`,
 * `turn.*` and `item.started|updated|completed{item}`; tool-like items (commands, MCP calls, web
 * searches, file changes) become a `tool.request` when they start and a `tool.response` when they
 * complete, keyed by the item id. An item seen only completed (file changes often are) gets both.
 */
import type { Draft, IngestState, Link, Mapper } from './types.ts';
import { isRecord, type JsonRecord, str, textOf } from './util.ts';

const TOOL_ITEMS = new Set(['command_execution', 'mcp_tool_call', 'web_search', 'file_change']);

function event(raw: JsonRecord, key: string): Draft {
  return { step: { type: 'agent.event', agent: 'codex', event: raw }, key };
}

function toolRequest(item: JsonRecord, id: string): Draft {
  const type = String(item.type);
  const call = (name: string, args: unknown): Draft => ({
    step: { type: 'tool.request', call_id: id, name, kind: type, arguments: args },
    key: id,
  });
  switch (type) {
    case 'command_execution':
      return call(type, { command: item.command ?? null });
    case 'mcp_tool_call':
      return call(str(item.tool) ?? type, {
        server: item.server ?? null,
        arguments: item.arguments ?? null,
      });
    case 'web_search':
      return call(type, { query: item.query ?? null });
    default:
      return call(type, { changes: item.changes ?? null });
  }
}

function toolResponse(item: JsonRecord, id: string): Draft {
  const type = String(item.type);
  let output: unknown = null;
  let isError = item.status === 'failed' || item.status === 'declined';
  if (type === 'command_execution') {
    output = { output: item.aggregated_output ?? '', exit_code: item.exit_code ?? null };
    if (typeof item.exit_code === 'number' && item.exit_code !== 0) isError = true;
  } else if (type === 'mcp_tool_call') {
    output = item.error ?? item.result ?? null;
    if (item.error !== undefined && item.error !== null) isError = true;
  } else if (type === 'file_change') {
    output = { status: item.status ?? null };
  } else {
    output = { status: item.status ?? null };
  }
  const link: Link = {};
  const text =
    type === 'command_execution' ? textOf(item.aggregated_output) : textOf(item.result ?? '');
  if (text.trim()) link.output = text.trim();
  return {
    step: {
      type: 'tool.response',
      call_id: id,
      name: type === 'mcp_tool_call' ? (str(item.tool) ?? type) : type,
      kind: type,
      output,
      is_error: isError,
    },
    key: id,
    link,
  };
}

function item(raw: JsonRecord, phase: string, state: IngestState): Draft[] {
  const it = isRecord(raw.item) ? raw.item : null;
  const type = str(it?.type);
  if (!it || !type) return [event(raw, `L${state.line}`)];
  const id = str(it.id) ?? `L${state.line}`;
  if (TOOL_ITEMS.has(type)) {
    if (phase === 'item.started') {
      state.started.add(id);
      return [toolRequest(it, id)];
    }
    if (phase === 'item.completed') {
      const out = state.started.has(id) ? [] : [toolRequest(it, id)];
      state.started.delete(id);
      return [...out, toolResponse(it, id)];
    }
    return [event(raw, id)];
  }
  if (phase === 'item.completed' && type === 'agent_message') {
    const text = str(it.text) ?? '';
    return [
      {
        step: {
          type: 'tool.response',
          call_id: id,
          name: 'agent_message',
          kind: 'agent_message',
          output: text,
        },
        key: id,
        link: { text },
      },
    ];
  }
  if (phase === 'item.completed' && type === 'error') {
    return [agentError(raw, 'item_error', str(it.message) ?? 'error item', id)];
  }
  return [event(raw, id)];
}

function agentError(raw: JsonRecord, code: string, message: string, key: string): Draft {
  return { step: { type: 'error.event', source: 'agent', code, message, detail: raw }, key };
}

export const mapCodexEvent: Mapper = (raw, state) => {
  const type = str(raw.type) ?? '';
  if (type === 'thread.started') {
    state.session = str(raw.thread_id) ?? state.session;
    return [event(raw, 'session')];
  }
  if (type.startsWith('item.')) return item(raw, type, state);
  if (type === 'turn.failed') {
    const error = isRecord(raw.error) ? raw.error : {};
    return [agentError(raw, 'turn_failed', str(error.message) ?? 'turn failed', `L${state.line}`)];
  }
  if (type === 'error') {
    return [agentError(raw, 'error', str(raw.message) ?? 'error', `L${state.line}`)];
  }
  // turn.started, turn.completed (usage) and anything a newer Codex adds.
  return [event(raw, `L${state.line}`)];
};
