/**
 * What a viewer page embeds: a small index the page renders at once, and chunks (one per heavy
 * payload: a request, a response, a stream's events, a tool step, an agent event) that it
 * decodes only when one is opened, so a 200 MB cassette opens as fast as a small one.
 * Shared by the page builder (Node) and the page script (browser) as types only.
 */
import type { TokenCounts } from '../pricing/index.ts';
import type { Turn } from '../providers/turns.ts';

export type Flag = 'error' | 'interrupted' | 'redacted' | 'synthetic' | 'unanswered';

export interface RunInfo {
  file: string;
  run_id: string;
  capture: string;
  response_source: string;
  redaction: { policy: string; pii?: boolean; warning?: string };
  tool: string;
  created_at: string | null;
  /** `sealed (N steps)`, `content seal`, or `not sealed`. */
  seal: string;
  sealed: boolean;
  warnings: string[];
}

export interface ExchangeRow {
  n: number;
  id: string;
  provider: string;
  endpoint: string;
  model: string | null;
  method: string;
  url: string;
  transport: string;
  offset_ms: number;
  status: number | null;
  /** `completed`, `interrupted`, `error` for streams; null for whole bodies. */
  stream: string | null;
  events: number;
  latency_ms: number | null;
  first_event_ms: number | null;
  tokens: TokenCounts | null;
  cost: number | null;
  preview: string;
  tools: string[];
  flags: Flag[];
  /** Chunk numbers; -1 when absent. */
  request: number;
  response: number;
  stream_events: number;
}

export interface ToolRow {
  n: number;
  call_id: string | null;
  name: string;
  kind: string;
  mcp: boolean;
  /** Exchanges the call and its result belong to (null: not seen). */
  call_exchange: number | null;
  result_exchange: number | null;
  is_error: boolean;
  preview: string;
  call: number;
  result: number;
}

export interface AgentRow {
  n: number;
  agent: string;
  session: string | null;
  type: string;
  offset_ms: number;
  exchange: number | null;
  chunk: number;
}

export interface ProblemRow {
  n: number;
  kind: 'error.event' | 'interrupted' | 'http' | 'redacted' | 'warning';
  exchange: number | null;
  title: string;
  detail: string;
}

export interface Totals {
  exchanges: number;
  tokens: TokenCounts;
  cost: number;
  currency: string;
  priced_at: string;
  unpriced: string[];
}

export interface ViewData {
  kind: 'view';
  run: RunInfo;
  exchanges: ExchangeRow[];
  tools: ToolRow[];
  agents: AgentRow[];
  problems: ProblemRow[];
  totals: Totals;
  /**
   * Pack p is `chunks.slice(offsets[p], offsets[p + 1])`: base64 of deflate-raw JSON, an array
   * of the chunks numbered from `packs[p]` on.
   */
  offsets: number[];
  packs: number[];
}

/** Decoded chunk shapes. */
export interface RequestChunk {
  step: unknown;
  turns: Turn[];
}
export interface ResponseChunk {
  step: unknown;
}

export type DiffOp = [op: '=' | '+' | '-', text: string];

export interface TurnDiff {
  status: 'same' | 'changed' | 'only_a' | 'only_b';
  role: string;
  a?: string;
  b?: string;
  ops?: DiffOp[];
}

export interface ToolChange {
  status: 'added' | 'removed' | 'changed';
  name: string;
  a?: unknown;
  b?: unknown;
}

export interface DiffExchange {
  n: number;
  a: number | null;
  b: number | null;
  status: 'same' | 'changed' | 'only_a' | 'only_b';
  provider: string;
  endpoint: string;
  model: string | null;
  /** First differing JSON path of the request or response, when changed. */
  path: string | null;
  turns: TurnDiff[];
  tools: ToolChange[];
  answer: { a: string; b: string; ops: DiffOp[] } | null;
  tokens: { a: number; b: number };
  cost: { a: number | null; b: number | null };
}

export interface DiffData {
  kind: 'diff';
  a: { file: string; run: RunInfo };
  b: { file: string; run: RunInfo };
  equal: boolean;
  first: { message: string; path: string | null; exchange: number | null } | null;
  exchanges: DiffExchange[];
  counts: { same: number; changed: number; only_a: number; only_b: number };
  tokens: { a: number; b: number };
  cost: { a: number; b: number; currency: string; priced_at: string };
  offsets: number[];
  packs: number[];
}

export type PageData = ViewData | DiffData;
