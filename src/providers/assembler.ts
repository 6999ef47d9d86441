/**
 * One assembler per stream: it folds provider events into the assembled result and decides the
 * completion state. Assemblers never throw on odd input: an event they do not understand is kept
 * (the capture stores every event) and simply contributes nothing.
 */
import type { Assembled, Diagnostic, StreamState, ToolCall } from '../cassette/schema.ts';

export interface AssemblyResult {
  state: StreamState;
  assembled: Assembled;
  diagnostics: Diagnostic[];
}

export interface Assembler {
  /** `index` is the event's position in the stream, used to name it in diagnostics. */
  add(data: unknown, event: string | undefined, index: number): void;
  /** The provider sent its terminal event. */
  readonly done: boolean;
  finish(aborted: boolean): AssemblyResult;
}

export interface AssembledParts {
  text: string;
  reasoning: string;
  tool_calls: ToolCall[];
  usage?: Record<string, unknown> | null;
  stop_reason?: string | null;
  response_id?: string | null;
  model?: string | null;
}

/** A fixed key order and no empty `reasoning`, so equal assemblies serialise identically. */
export function toAssembled(parts: AssembledParts): Assembled {
  const out: Assembled = { text: parts.text, tool_calls: parts.tool_calls };
  if (parts.reasoning !== '') out.reasoning = parts.reasoning;
  out.usage = parts.usage ?? null;
  out.stop_reason = parts.stop_reason ?? null;
  out.response_id = parts.response_id ?? null;
  out.model = parts.model ?? null;
  return out;
}

export function incompleteToolCall(call: { id: string | null; name: string }): Diagnostic {
  return {
    message: `tool call ${call.id ?? '(no id)'} "${call.name}" ended before its arguments were complete; it is left out of assembled.tool_calls`,
  };
}
