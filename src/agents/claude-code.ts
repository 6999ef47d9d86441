/**
 * `claude -p --output-format stream-json --verbose` NDJSON → drafts. Every line carries the
 * `session_id`. Assistant messages hold `text` and `tool_use` blocks (→ `tool.response` of kind
 * `agent_message`, `tool.request`), user messages the `tool_result`s sent back (→ `tool.response`),
 * and an API failure arrives as a synthetic assistant message flagged `is_api_error_message`.
 */
import type { Draft, IngestState, Mapper } from './types.ts';
import { arr, isRecord, type JsonRecord, str, textOf } from './util.ts';

function event(raw: JsonRecord, state: IngestState, key = `L${state.line}`): Draft {
  return {
    step: { type: 'agent.event', agent: 'claude-code', event: raw },
    key,
  };
}

function assistant(raw: JsonRecord, state: IngestState): Draft[] {
  const message = isRecord(raw.message) ? raw.message : {};
  const id = str(message.id) ?? `L${state.line}`;
  const requestId = str(raw.request_id) ?? null;
  const blocks = arr(message.content).filter(isRecord);
  const text = blocks
    .filter((b) => b.type === 'text')
    .map((b) => str(b.text) ?? '')
    .join('');
  if (raw.is_api_error_message === true || str(raw.error)) {
    const code = str(raw.api_error_type) ?? str(raw.error) ?? 'api_error';
    return [
      {
        step: {
          type: 'error.event',
          source: 'agent',
          code,
          message: text || code,
          detail: { error: raw.error ?? null, api_error_status: raw.api_error_status ?? null },
        },
        key: id,
      },
    ];
  }
  const drafts: Draft[] = [];
  if (text) {
    drafts.push({
      step: {
        type: 'tool.response',
        call_id: id,
        name: 'agent_message',
        kind: 'agent_message',
        output: text,
      },
      key: id,
      link: { text, request_id: requestId },
    });
  }
  for (const block of blocks) {
    if (block.type === 'tool_use') {
      const callId = str(block.id) ?? null;
      const name = str(block.name) ?? 'tool';
      if (callId) state.names.set(callId, name);
      drafts.push({
        step: {
          type: 'tool.request',
          call_id: callId,
          name,
          kind: 'tool_use',
          arguments: block.input ?? null,
        },
        key: callId ?? id,
        link: { call_id: callId, request_id: requestId },
      });
    } else if (block.type !== 'text') {
      // thinking, redacted_thinking, server tool blocks: kept whole, nothing to pair.
      drafts.push(event({ ...raw, message: { ...message, content: [block] } }, state, id));
    }
  }
  return drafts.length ? drafts : [event(raw, state, id)];
}

function user(raw: JsonRecord, state: IngestState): Draft[] {
  const message = isRecord(raw.message) ? raw.message : {};
  const results = arr(message.content).filter(
    (b): b is JsonRecord => isRecord(b) && b.type === 'tool_result',
  );
  if (results.length === 0) return [event(raw, state)];
  return results.map((block) => {
    const callId = str(block.tool_use_id) ?? null;
    const output = textOf(block.content);
    return {
      step: {
        type: 'tool.response',
        call_id: callId,
        name: (callId && state.names.get(callId)) || null,
        kind: 'tool_result',
        output: block.content ?? null,
        ...(typeof block.is_error === 'boolean' ? { is_error: block.is_error } : {}),
      },
      key: callId ?? `L${state.line}`,
      link: { call_id: callId, ...(output.trim() ? { output: output.trim() } : {}) },
    };
  });
}

function result(raw: JsonRecord, state: IngestState): Draft[] {
  const drafts = [event(raw, state, 'result')];
  const subtype = str(raw.subtype) ?? '';
  if (raw.is_error === true || subtype.startsWith('error')) {
    const errors = arr(raw.errors).map(textOf).join('; ');
    drafts.push({
      step: {
        type: 'error.event',
        source: 'agent',
        code: subtype && subtype !== 'success' ? subtype : 'result_error',
        message: str(raw.result) ?? (errors || 'the session ended with an error'),
        detail: {
          terminal_reason: raw.terminal_reason ?? null,
          api_error_status: raw.api_error_status ?? null,
        },
      },
      key: 'result',
    });
  }
  return drafts;
}

export const mapClaudeCodeEvent: Mapper = (raw, state) => {
  state.session ??= str(raw.session_id) ?? null;
  switch (raw.type) {
    case 'system':
      return [event(raw, state, raw.subtype === 'init' ? 'session' : `L${state.line}`)];
    case 'assistant':
      return assistant(raw, state);
    case 'user':
      return user(raw, state);
    case 'result':
      return result(raw, state);
    default:
      return [event(raw, state)];
  }
};
