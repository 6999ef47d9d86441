/**
 * Agent event streams → steps, line by line, never throwing: a line that is not JSON, not an
 * object, or that the mapper cannot read becomes an `error.event` carrying its line number, and
 * ingestion goes on with the next line. Each step is handed to `emit` as soon as its line is read,
 * so a long session streams into the cassette rather than being held in memory.
 */
import type { Provider, StepInput } from '../cassette/schema.ts';
import { mapClaudeCodeEvent } from './claude-code.ts';
import { mapCodexEvent } from './codex.ts';
import type { ModelStepIndex } from './correlate.ts';
import type { AgentName, Draft, IngestState, Mapper } from './types.ts';
import { isRecord } from './util.ts';

export interface IngestOptions {
  agent: AgentName;
  /** Receives each step in order, correlated. */
  emit: (step: StepInput) => void;
  /** Captured model steps to correlate with (same session). */
  index?: ModelStepIndex;
  /** `offset_ms` for the steps of the line being read. Default 0. */
  clock?: () => number;
}

export interface IngestSummary {
  agent: AgentName;
  /** The thread_id / session_id the stream reported, or null when it never said. */
  session_id: string | null;
  lines: number;
  steps: number;
  /** Lines that could not be read (each written as an `error.event` with its line number). */
  parse_errors: number;
  /** Steps tied to a captured model exchange of the same session. */
  linked: number;
  types: Partial<Record<StepInput['type'], number>>;
}

/**
 * Ingested steps name their stream as the endpoint, `agent:<name>`: they record what the agent did,
 * not traffic, so replay parity leaves them out (src/replay/trace.ts) while they share the
 * correlation id of the model exchange they belong to.
 */
const AGENTS: Record<AgentName, { mapper: Mapper; provider: Provider; endpoint: string }> = {
  codex: { mapper: mapCodexEvent, provider: 'openai', endpoint: 'agent:codex' },
  'claude-code': {
    mapper: mapClaudeCodeEvent,
    provider: 'anthropic',
    endpoint: 'agent:claude-code',
  },
};

export class AgentIngester {
  readonly #o: IngestOptions;
  readonly #state: IngestState = {
    session: null,
    line: 0,
    started: new Set(),
    names: new Map(),
  };
  readonly #summary: IngestSummary;

  constructor(options: IngestOptions) {
    this.#o = options;
    this.#summary = {
      agent: options.agent,
      session_id: null,
      lines: 0,
      steps: 0,
      parse_errors: 0,
      linked: 0,
      types: {},
    };
  }

  /** One line of the stream (without its line break). Blank lines count but produce nothing. */
  line(text: string): void {
    const n = ++this.#state.line;
    this.#summary.lines = n;
    const trimmed = text.replace(/^\uFEFF/, '').trim();
    if (trimmed === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      this.#fail('E_AGENT_PARSE', `is not JSON (${reason(error)})`, trimmed);
      return;
    }
    if (!isRecord(parsed)) {
      this.#fail('E_AGENT_PARSE', 'is not a JSON object', trimmed);
      return;
    }
    let drafts: Draft[];
    try {
      drafts = AGENTS[this.#o.agent].mapper(parsed, this.#state);
    } catch (error) {
      this.#fail('E_AGENT_EVENT', `could not be mapped (${reason(error)})`, trimmed);
      return;
    }
    for (const draft of drafts) this.#write(draft);
  }

  summary(): IngestSummary {
    return { ...this.#summary, session_id: this.#state.session, types: { ...this.#summary.types } };
  }

  #fail(code: string, what: string, text: string): void {
    this.#summary.parse_errors++;
    const n = this.#state.line;
    this.#write({
      step: {
        type: 'error.event',
        source: 'parse',
        code,
        line: n,
        message: `Failed to read line ${n} of the ${this.#o.agent} event stream: it ${what}. The line is kept in "detail"; the other lines were ingested.`,
        detail: { text: text.length > 4096 ? `${text.slice(0, 4096)}…` : text },
      },
      key: `L${n}`,
    });
  }

  #write(draft: Draft): void {
    const { provider, endpoint } = AGENTS[this.#o.agent];
    const session = this.#state.session;
    const linked = this.#o.index?.find(session, draft.step.type, draft.link) ?? null;
    if (linked) this.#summary.linked++;
    const step = {
      ...draft.step,
      ...(draft.step.type === 'agent.event' ? { session_id: session } : {}),
      correlation_id: linked ?? `${this.#o.agent}:${session ?? 'no-session'}:${draft.key}`,
      provider,
      endpoint,
      offset_ms: this.#o.clock?.() ?? 0,
    } as StepInput;
    this.#o.emit(step);
    this.#summary.steps++;
    this.#summary.types[step.type] = (this.#summary.types[step.type] ?? 0) + 1;
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Ingests a whole text (JSONL / NDJSON) at once. */
export function ingestText(text: string, options: IngestOptions): IngestSummary {
  const ingester = new AgentIngester(options);
  const lines = text.split(/\r?\n/);
  // A trailing line break does not open one more (empty) line.
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) ingester.line(line);
  return ingester.summary();
}

/** Ingests lines as they arrive (a file, stdin, a request body). */
export async function ingestLines(
  lines: AsyncIterable<string> | Iterable<string>,
  options: IngestOptions,
): Promise<IngestSummary> {
  const ingester = new AgentIngester(options);
  for await (const line of lines) ingester.line(line);
  return ingester.summary();
}
