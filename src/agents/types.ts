/**
 * Shared shapes of the agent ingesters. An ingester turns one parsed event of an agent's own
 * event stream into drafts: steps without the fields every step carries (correlation, provider,
 * endpoint, offset), plus what the correlator needs to tie them to captured model steps.
 */
import type { AgentEvent, ErrorEvent, ToolRequest, ToolResponse } from '../cassette/schema.ts';
import type { AgentName } from '../providers/agents.ts';

export type { AgentName };
export const AGENT_NAMES = ['codex', 'claude-code'] as const satisfies readonly AgentName[];

type Strip<T> = Omit<T, 'index' | 'correlation_id' | 'provider' | 'endpoint' | 'offset_ms'>;
export type DraftStep =
  | Strip<ToolRequest>
  | Strip<ToolResponse>
  | Strip<ErrorEvent>
  | Strip<AgentEvent>;

/** What may tie a draft to a step of a captured model exchange of the same session. */
export interface Link {
  /** A tool call id the model gave (`toolu_...`, `call_...`). */
  call_id?: string | null;
  /** The upstream request id of the model response that produced this (Claude Code reports it). */
  request_id?: string | null;
  /** Text the model produced (an agent message): found in a model response's assembled text. */
  text?: string;
  /** Output a tool produced: found in the tool result the agent sent back on the next request. */
  output?: string;
}

export interface Draft {
  step: DraftStep;
  /** Local grouping key inside the session: a call or item id, else the line number. */
  key: string;
  link?: Link;
}

/** Per-stream state an ingester keeps between lines. */
export interface IngestState {
  /** `thread_id` (Codex) or `session_id` (Claude Code) once seen. */
  session: string | null;
  /** Line number of the event being mapped (1-based). */
  line: number;
  /** Codex: item ids whose tool.request was already written (item.started seen). */
  started: Set<string>;
  /** Claude Code: tool names by call id, to name the tool_result that answers a tool_use. */
  names: Map<string, string>;
}

export type Mapper = (event: Record<string, unknown>, state: IngestState) => Draft[];
