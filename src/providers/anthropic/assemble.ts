/**
 * Anthropic Messages. A stream is `message_start`, then per content block `content_block_start`,
 * deltas (`text_delta`, `input_json_delta`, `thinking_delta`, `signature_delta`,
 * `citations_delta`) and `content_block_stop`, then `message_delta` and `message_stop`; `ping`
 * anywhere and `event: error` on failure. Blocks are rebuilt by `index` like the SDK's
 * MessageStream, so the same code assembles a JSON body and a stream.
 */
import type { Diagnostic, ToolCall } from '../../cassette/schema.ts';
import { type Assembler, incompleteToolCall, toAssembled } from '../assembler.ts';
import { arr, isRecord, type JsonRecord, num, parseArguments, str } from '../util.ts';

function contentParts(content: unknown[], closed: (index: number) => boolean) {
  let text = '';
  let reasoning = '';
  const tool_calls: ToolCall[] = [];
  const diagnostics: Diagnostic[] = [];
  content.forEach((block, index) => {
    if (!isRecord(block)) return;
    if (block.type === 'text') text += str(block.text) ?? '';
    else if (block.type === 'thinking') reasoning += str(block.thinking) ?? '';
    else if (block.type === 'tool_use') {
      const call: ToolCall = {
        id: str(block.id) ?? null,
        name: str(block.name) ?? '',
        arguments: block.input ?? {},
        kind: 'tool_use',
      };
      if (closed(index)) tool_calls.push(call);
      else diagnostics.push(incompleteToolCall(call));
    }
  });
  return { text, reasoning, tool_calls, diagnostics };
}

function messageFields(message: JsonRecord) {
  return {
    usage: isRecord(message.usage) ? message.usage : null,
    stop_reason: str(message.stop_reason) ?? null,
    response_id: str(message.id) ?? null,
    model: str(message.model) ?? null,
  };
}

export function assembleAnthropicBody(body: unknown) {
  if (!isRecord(body) || body.type === 'error') return undefined;
  const parts = contentParts(arr(body.content), () => true);
  return toAssembled({ ...parts, ...messageFields(body) });
}

export function createAnthropicAssembler(): Assembler {
  let message: JsonRecord = {};
  let blocks: JsonRecord[] = [];
  const json = new Map<number, string>();
  const closed = new Set<number>();
  let state: 'completed' | 'error' | null = null;
  const diagnostics: Diagnostic[] = [];

  function applyDelta(block: JsonRecord, index: number, delta: JsonRecord): void {
    const append = (key: string, value: unknown) => {
      if (typeof value === 'string') block[key] = (str(block[key]) ?? '') + value;
    };
    if (delta.type === 'text_delta') append('text', delta.text);
    else if (delta.type === 'thinking_delta') append('thinking', delta.thinking);
    else if (delta.type === 'signature_delta') block.signature = delta.signature;
    else if (delta.type === 'citations_delta') {
      block.citations = [...arr(block.citations), delta.citation];
    } else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
      const buffer = (json.get(index) ?? '') + delta.partial_json;
      json.set(index, buffer);
      // The first fragment is often "": keep the block's `{}` until there is something to parse.
      if (buffer.trim() !== '') block.input = parseArguments(buffer);
    }
  }

  return {
    get done() {
      return state !== null;
    },
    add(data, event) {
      if (!isRecord(data)) return;
      const type = str(data.type) ?? event ?? '';
      const index = num(data.index) ?? -1;
      switch (type) {
        case 'message_start': {
          // A new message starts afresh: an abandoned one's blocks and argument buffers must not
          // leak into it (issue 14 item 4).
          message = isRecord(data.message) ? structuredClone(data.message) : {};
          json.clear();
          closed.clear();
          // Programmatic tool calling sends whole `tool_use` blocks in the message itself, with
          // no block events: they are complete as they stand.
          blocks = arr(message.content).map((b) => (isRecord(b) ? b : {}));
          blocks.forEach((_, i) => {
            closed.add(i);
          });
          break;
        }
        case 'content_block_start':
          if (index >= 0 && isRecord(data.content_block))
            blocks[index] = structuredClone(data.content_block);
          break;
        case 'content_block_delta': {
          const block = blocks[index];
          if (block && isRecord(data.delta)) applyDelta(block, index, data.delta);
          break;
        }
        case 'content_block_stop':
          closed.add(index);
          break;
        case 'message_delta': {
          if (isRecord(data.delta)) Object.assign(message, data.delta);
          // Usage in message_delta is cumulative; null fields mean "unchanged".
          const usage = isRecord(message.usage) ? { ...message.usage } : {};
          if (isRecord(data.usage)) {
            for (const [k, v] of Object.entries(data.usage)) if (v !== null) usage[k] = v;
          }
          message.usage = usage;
          break;
        }
        case 'message_stop':
          state ??= 'completed';
          break;
        case 'error':
          state ??= 'error';
          diagnostics.push({
            message: `provider reported an error: ${str(isRecord(data.error) ? data.error.message : undefined) ?? 'no message'}`,
          });
          break;
      }
    },
    finish() {
      const parts = contentParts(blocks, (i) => closed.has(i) || state === 'completed');
      return {
        state: state ?? 'interrupted',
        assembled: toAssembled({ ...parts, ...messageFields(message) }),
        diagnostics: [...diagnostics, ...parts.diagnostics],
      };
    },
  };
}
