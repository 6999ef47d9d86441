/**
 * OpenAI Responses: the same event objects arrive over SSE (`event:` + `data:`) and WebSocket (one
 * JSON frame each). Items are rebuilt from `output_item.added`, the deltas and `output_item.done`;
 * the terminal response's `output`, when present, is the authoritative final list.
 */
import type { Diagnostic, ToolCall } from '../../cassette/schema.ts';
import { type Assembler, incompleteToolCall, toAssembled } from '../assembler.ts';
import { arr, isRecord, type JsonRecord, num, parseArguments, str } from '../util.ts';

const TOOL_ITEMS: Record<string, (item: JsonRecord) => { name: string; args: unknown }> = {
  function_call: (i) => ({ name: str(i.name) ?? '', args: parseArguments(str(i.arguments) ?? '') }),
  custom_tool_call: (i) => ({ name: str(i.name) ?? '', args: str(i.input) ?? '' }),
  local_shell_call: (i) => ({ name: 'local_shell', args: i.action ?? null }),
  shell_call: (i) => ({ name: 'shell', args: i.action ?? null }),
  apply_patch_call: (i) => ({ name: 'apply_patch', args: i.operation ?? null }),
  // Items the client must answer too (issue 14 item 4): a client-run tool search, a computer action.
  tool_search_call: (i) => ({ name: 'tool_search', args: i.arguments ?? null }),
  computer_call: (i) => ({ name: 'computer', args: i.action ?? i.actions ?? null }),
};

/** A server-run tool search is answered by OpenAI itself: only a client-run one is a tool call. */
const clientAnswers = (item: JsonRecord, type: string) =>
  type !== 'tool_search_call' || item.execution === 'client';

function partsText(parts: unknown, type: string): string {
  return arr(parts)
    .filter((p) => isRecord(p) && p.type === type)
    .map((p) => str((p as JsonRecord).text) ?? '')
    .join('');
}

/** Text, reasoning and tool calls of a Responses `output` list (stream or JSON body alike). */
export function outputParts(output: unknown[], closed: (index: number) => boolean) {
  let text = '';
  let reasoning = '';
  const tool_calls: ToolCall[] = [];
  const diagnostics: Diagnostic[] = [];
  output.forEach((item, index) => {
    if (!isRecord(item)) return;
    const type = str(item.type) ?? '';
    if (type === 'message') text += partsText(item.content, 'output_text');
    else if (type === 'reasoning') {
      reasoning +=
        partsText(item.summary, 'summary_text') + partsText(item.content, 'reasoning_text');
    } else if (TOOL_ITEMS[type] && clientAnswers(item, type)) {
      const { name, args } = TOOL_ITEMS[type](item);
      const call: ToolCall = { id: str(item.call_id) ?? null, name, arguments: args, kind: type };
      if (closed(index)) tool_calls.push(call);
      else diagnostics.push(incompleteToolCall(call));
    }
  });
  return { text, reasoning, tool_calls, diagnostics };
}

function responseFields(response: JsonRecord) {
  const details = isRecord(response.incomplete_details) ? response.incomplete_details : {};
  return {
    usage: isRecord(response.usage) ? response.usage : null,
    stop_reason: str(details.reason) ?? str(response.status) ?? null,
    response_id: str(response.id) ?? null,
    model: str(response.model) ?? null,
  };
}

export function assembleResponsesBody(body: unknown) {
  if (!isRecord(body)) return undefined;
  const parts = outputParts(arr(body.output), () => true);
  return toAssembled({ ...parts, ...responseFields(body) });
}

const TERMINAL: Record<string, 'completed' | 'error'> = {
  'response.completed': 'completed',
  'response.incomplete': 'completed',
  'response.failed': 'error',
  error: 'error',
};

export function createResponsesAssembler(): Assembler {
  const items: JsonRecord[] = [];
  const closedItems = new Set<number>();
  let response: JsonRecord = {};
  let terminal: 'completed' | 'error' | null = null;
  const diagnostics: Diagnostic[] = [];

  const at = (ev: JsonRecord): JsonRecord | undefined => {
    const index = num(ev.output_index);
    return index === undefined ? undefined : items[index];
  };
  const part = (item: JsonRecord, key: string, index: unknown, type: string): JsonRecord => {
    if (!Array.isArray(item[key])) item[key] = [];
    const list = item[key] as unknown[];
    const i = num(index) ?? 0;
    const found = list[i];
    if (isRecord(found)) return found;
    const created: JsonRecord = { type, text: '' };
    list[i] = created;
    return created;
  };
  const append = (target: JsonRecord | undefined, key: string, delta: unknown): void => {
    if (target && typeof delta === 'string') target[key] = (str(target[key]) ?? '') + delta;
  };

  return {
    get done() {
      return terminal !== null;
    },
    add(data) {
      if (!isRecord(data)) return;
      const type = str(data.type) ?? '';
      const item = at(data);
      if (isRecord(data.response)) response = data.response;
      switch (type) {
        case 'response.output_item.added':
        case 'response.output_item.done': {
          const index = num(data.output_index);
          if (index === undefined || !isRecord(data.item)) break;
          items[index] = structuredClone(data.item);
          if (type === 'response.output_item.done') closedItems.add(index);
          break;
        }
        case 'response.content_part.added':
          if (item && isRecord(data.part)) {
            Object.assign(
              part(item, 'content', data.content_index, str(data.part.type) ?? ''),
              data.part,
            );
          }
          break;
        case 'response.output_text.delta':
          append(
            item && part(item, 'content', data.content_index, 'output_text'),
            'text',
            data.delta,
          );
          break;
        case 'response.output_text.done':
          if (item && typeof data.text === 'string')
            part(item, 'content', data.content_index, 'output_text').text = data.text;
          break;
        case 'response.reasoning_text.delta':
          append(
            item && part(item, 'content', data.content_index, 'reasoning_text'),
            'text',
            data.delta,
          );
          break;
        case 'response.reasoning_summary_text.delta':
          append(
            item && part(item, 'summary', data.summary_index, 'summary_text'),
            'text',
            data.delta,
          );
          break;
        case 'response.function_call_arguments.delta':
          append(item, 'arguments', data.delta);
          break;
        case 'response.function_call_arguments.done':
          if (item && typeof data.arguments === 'string') item.arguments = data.arguments;
          break;
        case 'response.custom_tool_call_input.delta':
          append(item, 'input', data.delta);
          break;
        case 'response.custom_tool_call_input.done':
          if (item && typeof data.input === 'string') item.input = data.input;
          break;
        default:
          if (terminal === null && TERMINAL[type]) {
            terminal = TERMINAL[type];
            if (terminal === 'error') diagnostics.push(errorDiagnostic(data));
          }
      }
    },
    finish() {
      // The terminal response carries the final output list; older servers send it empty.
      const final = arr(response.output);
      const useFinal = terminal !== null && final.length > 0;
      const output = useFinal ? final : items;
      const parts = outputParts(output, (i) => useFinal || closedItems.has(i) || terminal !== null);
      return {
        state: terminal ?? 'interrupted',
        assembled: toAssembled({ ...parts, ...responseFields(response) }),
        diagnostics: [...diagnostics, ...parts.diagnostics],
      };
    },
  };
}

function errorDiagnostic(data: JsonRecord): Diagnostic {
  const error =
    isRecord(data.response) && isRecord(data.response.error) ? data.response.error : data;
  const message =
    str(error.message) ?? str(isRecord(error.error) ? error.error.message : undefined);
  return { message: `provider reported an error (${str(data.type)}): ${message ?? 'no message'}` };
}
