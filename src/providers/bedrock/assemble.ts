/**
 * Bedrock assembly. Converse answers `output.message.content` blocks (`text`, `toolUse`,
 * `reasoningContent`); ConverseStream sends `messageStart`, per block `contentBlockStart` (a
 * tool's id and name), `contentBlockDelta` (`text`, `toolUse.input` fragments,
 * `reasoningContent.text`) and `contentBlockStop`, then `messageStop` and `metadata` (usage).
 * InvokeModel speaks the model's own format: Anthropic Messages for `anthropic.*` models, whose
 * stream events arrive one per `chunk` (stored decoded, eventstream.ts) and are assembled by the
 * Anthropic assembler; other models' text fields are joined.
 */
import type { Diagnostic, ToolCall } from '../../cassette/schema.ts';
import { assembleAnthropicBody, createAnthropicAssembler } from '../anthropic/assemble.ts';
import {
  type Assembler,
  type AssemblyResult,
  incompleteToolCall,
  toAssembled,
} from '../assembler.ts';
import { arr, isRecord, type JsonRecord, parseArguments, str } from '../util.ts';

export function assembleConverseBody(body: unknown) {
  if (!isRecord(body) || !isRecord(body.output)) return undefined;
  const message = isRecord(body.output.message) ? body.output.message : {};
  let text = '';
  let reasoning = '';
  const tool_calls: ToolCall[] = [];
  for (const block of arr(message.content)) {
    if (!isRecord(block)) continue;
    text += str(block.text) ?? '';
    const thought = isRecord(block.reasoningContent) ? block.reasoningContent.reasoningText : null;
    if (isRecord(thought)) reasoning += str(thought.text) ?? '';
    if (isRecord(block.toolUse)) {
      tool_calls.push({
        id: str(block.toolUse.toolUseId) ?? null,
        name: str(block.toolUse.name) ?? '',
        arguments: block.toolUse.input ?? {},
        kind: 'toolUse',
      });
    }
  }
  return toAssembled({
    text,
    reasoning,
    tool_calls,
    usage: isRecord(body.usage) ? body.usage : null,
    stop_reason: str(body.stopReason) ?? null,
  });
}

/** Text of a non-Anthropic InvokeModel answer (Llama `generation`, Titan `results`, Nova `output`). */
function modelText(body: JsonRecord): string {
  if (typeof body.generation === 'string') return body.generation;
  if (typeof body.outputText === 'string') return body.outputText;
  if (typeof body.completion === 'string') return body.completion;
  return arr(body.results)
    .map((r) => (isRecord(r) ? (str(r.outputText) ?? '') : ''))
    .join('');
}

export function assembleInvokeBody(body: unknown) {
  if (!isRecord(body)) return undefined;
  if (body.type === 'message') return assembleAnthropicBody(body);
  if (isRecord(body.output)) return assembleConverseBody(body);
  return toAssembled({ text: modelText(body), reasoning: '', tool_calls: [] });
}

const EXCEPTION = 'exception:';

export function createConverseAssembler(): Assembler {
  let text = '';
  let reasoning = '';
  const tools = new Map<number, { id: string | null; name: string; input: string }>();
  const closed = new Set<number>();
  let stopReason: string | null = null;
  let usage: Record<string, unknown> | null = null;
  let state: 'completed' | 'error' | null = null;
  let metadata = false;
  const diagnostics: Diagnostic[] = [];
  return {
    get done() {
      return state === 'error' || metadata;
    },
    add(data, event) {
      if (event?.startsWith(EXCEPTION)) {
        state = 'error';
        const message = isRecord(data) ? str(data.message) : undefined;
        diagnostics.push({ message: `${event.slice(EXCEPTION.length)}: ${message ?? ''}` });
        return;
      }
      if (!isRecord(data)) return;
      const index = typeof data.contentBlockIndex === 'number' ? data.contentBlockIndex : 0;
      if (event === 'contentBlockStart') {
        const start = isRecord(data.start) ? data.start.toolUse : undefined;
        if (isRecord(start)) {
          tools.set(index, {
            id: str(start.toolUseId) ?? null,
            name: str(start.name) ?? '',
            input: '',
          });
        }
      } else if (event === 'contentBlockDelta' && isRecord(data.delta)) {
        const delta = data.delta;
        text += str(delta.text) ?? '';
        if (isRecord(delta.reasoningContent)) reasoning += str(delta.reasoningContent.text) ?? '';
        const tool = tools.get(index);
        if (tool && isRecord(delta.toolUse)) tool.input += str(delta.toolUse.input) ?? '';
      } else if (event === 'contentBlockStop') {
        closed.add(index);
      } else if (event === 'messageStop') {
        stopReason = str(data.stopReason) ?? null;
        state ??= 'completed';
      } else if (event === 'metadata') {
        usage = isRecord(data.usage) ? data.usage : null;
        metadata = true;
      }
    },
    finish(): AssemblyResult {
      const tool_calls: ToolCall[] = [];
      for (const [index, tool] of [...tools].sort(([a], [b]) => a - b)) {
        const call: ToolCall = {
          id: tool.id,
          name: tool.name,
          arguments: tool.input.trim() === '' ? {} : parseArguments(tool.input),
          kind: 'toolUse',
        };
        if (closed.has(index)) tool_calls.push(call);
        else diagnostics.push(incompleteToolCall(call));
      }
      return {
        state: state ?? 'interrupted',
        assembled: toAssembled({ text, reasoning, tool_calls, usage, stop_reason: stopReason }),
        diagnostics,
      };
    },
  };
}

/** InvokeModelWithResponseStream: each `chunk` carries one of the model's own stream events. */
export function createInvokeStreamAssembler(): Assembler {
  const anthropic = createAnthropicAssembler();
  let anthropicSeen = false;
  let text = '';
  let error: string | null = null;
  return {
    get done() {
      return error !== null || anthropic.done;
    },
    add(data, event, index) {
      if (event?.startsWith(EXCEPTION)) {
        const message = isRecord(data) ? str(data.message) : undefined;
        error = `${event.slice(EXCEPTION.length)}: ${message ?? ''}`;
        return;
      }
      const inner = isRecord(data) ? data.bytes : undefined;
      if (!isRecord(inner)) return;
      if (typeof inner.type === 'string') {
        anthropicSeen = true;
        anthropic.add(inner, inner.type, index);
      } else {
        text += modelText(inner);
      }
    },
    finish(aborted) {
      if (anthropicSeen) {
        const result = anthropic.finish(aborted);
        if (!error) return result;
        return {
          ...result,
          state: 'error',
          diagnostics: [...result.diagnostics, { message: error }],
        };
      }
      return {
        state: error ? 'error' : aborted ? 'interrupted' : 'completed',
        assembled: toAssembled({ text, reasoning: '', tool_calls: [] }),
        diagnostics: error ? [{ message: error }] : [],
      };
    },
  };
}
