/**
 * Reads a cassette once, streaming, into the page's index and chunks (page-data.ts). Steps are
 * never all held: each heavy payload is compressed into its chunk as its step goes by, and only
 * the rows (a few hundred bytes an exchange) stay in memory.
 */
import type { CassetteEntry } from '../cassette/reader.ts';
import { iterateCassette } from '../cassette/reader.ts';
import type { ModelRequest, ModelResponse, RunHeader, RunSeal, Step } from '../cassette/schema.ts';
import { normalizeStep } from '../pipeline/canonical.ts';
import {
  addTokens,
  BUILT_IN_PRICES,
  costOf,
  type PriceTable,
  priceFor,
  tokensOf,
} from '../pricing/index.ts';
import { ChunkStore } from './chunks.ts';
import type {
  AgentRow,
  ExchangeRow,
  Flag,
  ProblemRow,
  RunInfo,
  ToolRow,
  ViewData,
} from './page-data.ts';
import { hasRedaction } from './redaction-marks.ts';
import { turnsOf } from './turns.ts';

export interface ViewOptions {
  prices?: PriceTable;
  /** How the file is named on the page (default: as given). */
  name?: string;
}

export interface BuiltView {
  data: ViewData;
  chunks: ChunkStore;
}

const MCP = /mcp/i;
const ZERO_TOKENS = { input: 0, cachedInput: 0, cacheWrite: 0, output: 0 };

function preview(value: unknown, max = 140): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function runInfo(
  file: string,
  header: RunHeader,
  seal: RunSeal | undefined,
  warnings: string[],
): RunInfo {
  const sealText = !seal
    ? 'not sealed'
    : seal.sha256 || seal.integrity
      ? `sealed, ${seal.steps} steps, hash checked`
      : `sealed (content), ${seal.steps} steps, checked`;
  return {
    file,
    run_id: header.run_id,
    capture: header.capture,
    response_source: header.response_source,
    redaction: header.redaction,
    tool: `${header.tool.name} ${header.tool.version}`,
    created_at: header.created_at ?? null,
    seal: sealText,
    sealed: seal !== undefined,
    warnings,
  };
}

/**
 * The fast content check (one sha256 pass) settles the seal only at the end, after the steps went
 * by; when it cannot (no seal, an older seal, an edit), the page is built again from the
 * canonical read, which accepts what `inspect` accepts and reports the rest.
 */
async function checkedPass(file: string, sink: (entry: CassetteEntry) => void): Promise<void> {
  try {
    for await (const entry of iterateCassette(file, { verify: 'content' })) sink(entry);
    return;
  } catch {
    // Reset by the caller; fall through to the canonical read, which reports real damage.
  }
  throw new RetryCanonical();
}

class RetryCanonical extends Error {}

export async function buildView(file: string, options: ViewOptions = {}): Promise<BuiltView> {
  try {
    const built = newBuilder(file, options);
    await checkedPass(file, built.take);
    return built.finish();
  } catch (error) {
    if (!(error instanceof RetryCanonical)) throw error;
  }
  const built = newBuilder(file, options);
  for await (const entry of iterateCassette(file, { normalize: normalizeStep })) built.take(entry);
  return built.finish();
}

function newBuilder(file: string, options: ViewOptions) {
  const table = options.prices ?? BUILT_IN_PRICES;
  const chunks = new ChunkStore();
  let header: RunHeader | undefined;
  let seal: RunSeal | undefined;
  const warnings: string[] = [];
  const exchanges: ExchangeRow[] = [];
  const byId = new Map<string, ExchangeRow>();
  const tools: ToolRow[] = [];
  const openCalls = new Map<string, ToolRow>();
  const agents: AgentRow[] = [];
  const problems: (ProblemRow & { cid?: string })[] = [];
  const later: { cid: string; apply: (n: number | null) => void }[] = [];
  let totalTokens = ZERO_TOKENS;
  let totalCost = 0;
  const unpriced = new Set<string>();
  const synthetic = () => header?.response_source === 'synthetic';

  const flag = (row: ExchangeRow, f: Flag) => {
    if (!row.flags.includes(f)) row.flags.push(f);
  };

  function request(step: ModelRequest): void {
    const json = JSON.stringify({
      step,
      turns: turnsOf(step.provider, step.endpoint, step.body ?? step.body_text),
    });
    const row: ExchangeRow = {
      n: exchanges.length,
      id: step.correlation_id,
      provider: step.provider,
      endpoint: step.endpoint,
      model: step.model ?? null,
      method: step.method,
      url: step.url,
      transport: step.transport,
      offset_ms: step.offset_ms,
      status: null,
      stream: null,
      events: 0,
      latency_ms: null,
      first_event_ms: null,
      tokens: null,
      cost: null,
      preview: '',
      tools: [],
      flags: ['unanswered'],
      request: chunks.addJson(json),
      response: -1,
      stream_events: -1,
    };
    if (synthetic() || step.response_source === 'synthetic') flag(row, 'synthetic');
    if (hasRedaction(json)) flag(row, 'redacted');
    exchanges.push(row);
    byId.set(step.correlation_id, row);
  }

  function response(step: ModelResponse): void {
    let row = byId.get(step.correlation_id);
    if (!row || row.response !== -1) {
      // A response whose request is not in the file (cut by a crash before it): its own row.
      request({
        type: 'model.request',
        index: step.index,
        correlation_id: step.correlation_id,
        provider: step.provider,
        endpoint: step.endpoint,
        offset_ms: step.offset_ms,
        method: '?',
        url: '(request not recorded)',
        transport: 'http',
        stream: Boolean(step.stream),
        headers: {},
      });
      row = byId.get(step.correlation_id)!;
    }
    row.flags = row.flags.filter((f) => f !== 'unanswered');
    const events = step.stream?.events ?? [];
    const { stream, ...rest } = step;
    const light = stream ? { ...rest, stream: { ...stream, events: undefined } } : rest;
    const json = JSON.stringify({ step: light });
    row.response = chunks.addJson(json);
    if (stream) {
      const eventsJson = JSON.stringify(events);
      row.stream_events = chunks.addJson(eventsJson);
      row.stream = stream.state;
      row.events = events.length;
      row.first_event_ms = events[0]?.offset_ms ?? null;
      if (stream.state === 'interrupted') flag(row, 'interrupted');
      if (stream.state === 'error') flag(row, 'error');
      if (hasRedaction(eventsJson)) flag(row, 'redacted');
    }
    row.status = step.status;
    if (step.status >= 400) flag(row, 'error');
    if (hasRedaction(json)) flag(row, 'redacted');
    if (synthetic() || step.response_source === 'synthetic') flag(row, 'synthetic');
    row.latency_ms = Math.max(0, Math.round((step.offset_ms - row.offset_ms) * 10) / 10);
    const assembled = step.assembled;
    const model = assembled?.model ?? row.model;
    if (!row.model && model) row.model = model;
    const tokens = tokensOf(assembled?.usage);
    if (tokens) {
      row.tokens = tokens;
      totalTokens = addTokens(totalTokens, tokens);
      const price = priceFor(table, model);
      if (price) {
        row.cost = costOf(tokens, price.price);
        totalCost += row.cost;
      } else unpriced.add(model ?? '(no model)');
    }
    row.tools = assembled?.tool_calls.map((c) => c.name) ?? [];
    row.preview = preview(
      assembled?.text ||
        (row.tools.length ? `calls ${row.tools.join(', ')}` : '') ||
        step.body_text ||
        (step.body === undefined ? '' : step.body),
    );
    const n = row.n;
    if (stream?.state === 'interrupted') {
      problems.push({
        n: 0,
        kind: 'interrupted',
        exchange: n,
        title: `stream interrupted after ${events.length} events`,
        detail: step.diagnostics?.map((d) => d.message).join('; ') ?? '',
      });
    }
    if (step.status >= 400) {
      problems.push({
        n: 0,
        kind: 'http',
        exchange: n,
        title: `HTTP ${step.status}`,
        detail: preview(step.body ?? step.body_text ?? ''),
      });
    }
  }

  function tool(step: Extract<Step, { type: 'tool.request' | 'tool.response' }>): void {
    const chunk = chunks.add(step);
    const key = step.call_id ?? `${step.correlation_id}:${step.name ?? step.kind}`;
    if (step.type === 'tool.request') {
      const row: ToolRow = {
        n: tools.length,
        call_id: step.call_id,
        name: step.name,
        kind: step.kind,
        mcp: MCP.test(`${step.kind} ${step.name} ${step.endpoint}`),
        call_exchange: null,
        result_exchange: null,
        is_error: false,
        preview: preview(step.arguments, 100),
        call: chunk,
        result: -1,
      };
      tools.push(row);
      openCalls.set(key, row);
      later.push({ cid: step.correlation_id, apply: (x) => (row.call_exchange = x) });
      return;
    }
    let row = openCalls.get(key);
    if (!row || row.result !== -1) {
      row = {
        n: tools.length,
        call_id: step.call_id,
        name: step.name ?? step.kind,
        kind: step.kind,
        mcp: false,
        call_exchange: null,
        result_exchange: null,
        is_error: false,
        preview: '',
        call: -1,
        result: -1,
      };
      tools.push(row);
    }
    openCalls.delete(key);
    row.result = chunk;
    row.is_error = step.is_error === true;
    if (MCP.test(`${step.kind} ${step.name ?? ''} ${step.endpoint}`)) row.mcp = true;
    const target = row;
    later.push({ cid: step.correlation_id, apply: (x) => (target.result_exchange = x) });
  }

  function take(entry: CassetteEntry): void {
    switch (entry.kind) {
      case 'header':
        header = entry.header;
        return;
      case 'warning':
        warnings.push(entry.message);
        return;
      case 'end':
        seal = entry.seal;
        return;
    }
    const step = entry.step;
    switch (step.type) {
      case 'model.request':
        request(step);
        return;
      case 'model.response':
        response(step);
        return;
      case 'tool.request':
      case 'tool.response':
        tool(step);
        return;
      case 'error.event': {
        const problem = {
          n: 0,
          kind: 'error.event' as const,
          exchange: null as number | null,
          cid: step.correlation_id,
          title: `${step.source} ${step.code}`,
          detail: step.message,
        };
        problems.push(problem);
        later.push({
          cid: step.correlation_id,
          apply: (x) => {
            problem.exchange = x;
            if (x !== null) flag(exchanges[x]!, 'error');
          },
        });
        return;
      }
      case 'agent.event': {
        const event = step.event as { type?: unknown } | null;
        const row: AgentRow = {
          n: agents.length,
          agent: step.agent,
          session: step.session_id ?? null,
          type: typeof event?.type === 'string' ? event.type : 'event',
          offset_ms: step.offset_ms,
          exchange: null,
          chunk: chunks.add(step),
        };
        agents.push(row);
        later.push({ cid: step.correlation_id, apply: (x) => (row.exchange = x) });
        return;
      }
    }
  }

  function finish(): BuiltView {
    for (const { cid, apply } of later) apply(byId.get(cid)?.n ?? null);
    for (const message of warnings) {
      problems.push({
        n: 0,
        kind: 'warning',
        exchange: null,
        title: 'reader warning',
        detail: message,
      });
    }
    const ordered = problems
      .map(({ cid: _c, ...p }) => p)
      .sort((a, b) => (a.exchange ?? Infinity) - (b.exchange ?? Infinity))
      .map((p, n) => ({ ...p, n }));
    const data: ViewData = {
      kind: 'view',
      run: runInfo(options.name ?? file, header!, seal, warnings),
      exchanges,
      tools,
      agents,
      problems: ordered,
      totals: {
        exchanges: exchanges.length,
        tokens: totalTokens,
        cost: Math.round(totalCost * 1_000_000) / 1_000_000,
        currency: table.currency ?? 'USD',
        priced_at: table.pricedAt,
        unpriced: [...unpriced].sort(),
      },
      offsets: [],
      packs: [],
    };
    return { data, chunks };
  }

  return { take, finish };
}
