/**
 * Two runs compared at conversation level (issue 19 item 2): exchanges aligned by what they
 * asked (a longest-common-subsequence over the requests, so an inserted or removed exchange
 * does not shift every later one), then, per aligned pair, the prompt turn by turn (turns
 * aligned the same way, changed text as a word diff), the tool calls added, removed or changed,
 * the answer, and tokens and cost.
 */
import { diffArrays, diffWordsWithSpace } from 'diff';
import type { ModelRequest, ModelResponse, RunHeader, Step } from '../cassette/schema.ts';
import { loadCassette } from '../pipeline/cassette.ts';
import {
  BUILT_IN_PRICES,
  costOf,
  type PriceTable,
  priceFor,
  tokensOf,
  totalTokens,
} from '../pricing/index.ts';
import { type CassetteDiff, diffCassettes } from '../replay/cassette-diff.ts';
import { firstDifference } from '../replay/diff.ts';
import type { MatchOptions } from '../replay/matcher.ts';
import { runInfo } from './build-view.ts';
import type { DiffData, DiffExchange, DiffOp, ToolChange, TurnDiff } from './page-data.ts';
import type { Turn, TurnPart } from './turns.ts';
import { turnsOf } from './turns.ts';

interface Side {
  file: string;
  header: RunHeader;
  steps: Step[];
  seal?: Parameters<typeof runInfo>[2];
  warnings?: string[];
}

interface Exchange {
  n: number;
  request?: ModelRequest;
  response?: ModelResponse;
  turns: string[];
  roles: string[];
  key: string;
  calls: { name: string; arguments: unknown }[];
  answer: string;
  tokens: number;
  cost: number | null;
}

/** Context kept for a turn both sides share: enough to place a change, not the whole prompt. */
const CONTEXT = 300;

function partText(part: TurnPart): string {
  switch (part.kind) {
    case 'text':
      return part.text;
    case 'reasoning':
      return `(reasoning) ${part.text}`;
    case 'tool_call':
      return `→ ${part.name}(${JSON.stringify(part.arguments)})`;
    case 'tool_result':
      return `← ${part.name ?? 'result'}: ${typeof part.output === 'string' ? part.output : JSON.stringify(part.output)}`;
    case 'data':
      return `[${part.label}] ${JSON.stringify(part.value)}`;
  }
}

const turnText = (turn: Turn) => turn.parts.map(partText).join('\n');

function exchangesOf(steps: Step[], table: PriceTable): Exchange[] {
  const byId = new Map<string, Exchange>();
  const out: Exchange[] = [];
  for (const step of steps) {
    if (step.type === 'model.request') {
      const turns = turnsOf(step.provider, step.endpoint, step.body ?? step.body_text);
      const texts = turns.map(turnText);
      const ex: Exchange = {
        n: out.length,
        request: step,
        turns: texts,
        roles: turns.map((t) => t.role),
        key: JSON.stringify([
          step.provider,
          step.endpoint,
          step.model,
          step.method,
          step.url.split('?')[0],
          texts,
        ]),
        calls: [],
        answer: '',
        tokens: 0,
        cost: null,
      };
      out.push(ex);
      byId.set(step.correlation_id, ex);
    } else if (step.type === 'model.response') {
      const ex = byId.get(step.correlation_id);
      if (!ex || ex.response) continue;
      ex.response = step;
      const a = step.assembled;
      ex.answer =
        a?.text ?? step.body_text ?? (step.body === undefined ? '' : JSON.stringify(step.body));
      ex.calls = a?.tool_calls.map((c) => ({ name: c.name, arguments: c.arguments })) ?? [];
      const tokens = tokensOf(a?.usage);
      if (tokens) {
        ex.tokens = totalTokens(tokens);
        const price = priceFor(table, a?.model ?? ex.request?.model);
        ex.cost = price ? costOf(tokens, price.price) : null;
      }
    }
  }
  return out;
}

/** Pairs by LCS; within a run of removals followed by additions, pairs by position (changed). */
function align<T>(a: T[], b: T[], key: (x: T) => string): [T | null, T | null][] {
  const pairs: [T | null, T | null][] = [];
  const parts = diffArrays(a.map(key), b.map(key));
  let i = 0;
  let j = 0;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    const count = part.count ?? part.value.length;
    if (!part.added && !part.removed) {
      for (let c = 0; c < count; c++) pairs.push([a[i++]!, b[j++]!]);
    } else if (part.removed && parts[k + 1]?.added) {
      const next = parts[++k]!;
      const added = next.count ?? next.value.length;
      for (let c = 0; c < Math.max(count, added); c++) {
        pairs.push([c < count ? a[i++]! : null, c < added ? b[j++]! : null]);
      }
    } else if (part.removed) {
      for (let c = 0; c < count; c++) pairs.push([a[i++]!, null]);
    } else {
      for (let c = 0; c < count; c++) pairs.push([null, b[j++]!]);
    }
  }
  return pairs;
}

export function textOps(a: string, b: string): DiffOp[] {
  // Long texts cost the word diff quadratic time; past this size a whole-block change says enough.
  if (a.length + b.length > 200_000)
    return [
      ['-', a],
      ['+', b],
    ];
  return diffWordsWithSpace(a, b).map((c) => [c.added ? '+' : c.removed ? '-' : '=', c.value]);
}

const clip = (text: string) => (text.length > CONTEXT ? `${text.slice(0, CONTEXT)}…` : text);

function turnDiffs(a: Exchange | null, b: Exchange | null): TurnDiff[] {
  const ta = (a?.turns ?? []).map((text, i) => ({ text, role: a!.roles[i]! }));
  const tb = (b?.turns ?? []).map((text, i) => ({ text, role: b!.roles[i]! }));
  return align(ta, tb, (t) => `${t.role}\n${t.text}`).map(([x, y]): TurnDiff => {
    if (x && y) {
      if (x.text === y.text && x.role === y.role)
        return { status: 'same', role: x.role, a: clip(x.text) };
      return { status: 'changed', role: y.role, ops: textOps(x.text, y.text) };
    }
    if (x) return { status: 'only_a', role: x.role, a: x.text };
    return { status: 'only_b', role: y!.role, b: y!.text };
  });
}

function toolChanges(a: Exchange | null, b: Exchange | null): ToolChange[] {
  const ca = a?.calls ?? [];
  const cb = b?.calls ?? [];
  const changes: ToolChange[] = [];
  for (const [x, y] of align(ca, cb, (c) => c.name)) {
    if (x && y) {
      if (JSON.stringify(x.arguments) !== JSON.stringify(y.arguments)) {
        changes.push({ status: 'changed', name: y.name, a: x.arguments, b: y.arguments });
      }
    } else if (x) changes.push({ status: 'removed', name: x.name, a: x.arguments });
    else if (y) changes.push({ status: 'added', name: y.name, b: y.arguments });
  }
  return changes;
}

function firstPath(a: Exchange, b: Exchange): string | null {
  const request = firstDifference(
    a.request?.body ?? a.request?.body_text,
    b.request?.body ?? b.request?.body_text,
  );
  if (request)
    return `request.body${request.path.startsWith('[') ? '' : '.'}${request.path}`.replace(
      /\.$/,
      '',
    );
  const response = firstDifference(
    a.response?.assembled ?? a.response?.body,
    b.response?.assembled ?? b.response?.body,
  );
  if (response)
    return `response.${a.response?.assembled ? 'assembled' : 'body'}${response.path ? `.${response.path}` : ''}`;
  if (a.response?.status !== b.response?.status) return 'response.status';
  return null;
}

export function diffSteps(
  a: Side,
  b: Side,
  first: DiffData['first'],
  options: { prices?: PriceTable } = {},
): DiffData {
  const table = options.prices ?? BUILT_IN_PRICES;
  const xa = exchangesOf(a.steps, table);
  const xb = exchangesOf(b.steps, table);
  const counts = { same: 0, changed: 0, only_a: 0, only_b: 0 };
  const exchanges: DiffExchange[] = align(xa, xb, (x) => x.key).map(([x, y], n): DiffExchange => {
    const head = (y ?? x)!;
    const tools = toolChanges(x, y);
    const answerChanged = x && y && x.answer !== y.answer;
    const path = x && y ? firstPath(x, y) : null;
    const status: DiffExchange['status'] = !y
      ? 'only_a'
      : !x
        ? 'only_b'
        : path || tools.length || answerChanged
          ? 'changed'
          : 'same';
    counts[status]++;
    return {
      n,
      a: x?.n ?? null,
      b: y?.n ?? null,
      status,
      provider: head.request?.provider ?? '?',
      endpoint: head.request?.endpoint ?? '?',
      model: head.request?.model ?? null,
      path,
      turns: status === 'same' ? [] : turnDiffs(x, y),
      tools,
      answer:
        status === 'same' || (x?.answer ?? '') === (y?.answer ?? '')
          ? null
          : {
              a: x?.answer ?? '',
              b: y?.answer ?? '',
              ops: textOps(x?.answer ?? '', y?.answer ?? ''),
            },
      tokens: { a: x?.tokens ?? 0, b: y?.tokens ?? 0 },
      cost: { a: x?.cost ?? null, b: y?.cost ?? null },
    };
  });
  const sum = (list: Exchange[], f: (e: Exchange) => number) => list.reduce((s, e) => s + f(e), 0);
  return {
    kind: 'diff',
    a: { file: a.file, run: runInfo(a.file, a.header, a.seal, a.warnings ?? []) },
    b: { file: b.file, run: runInfo(b.file, b.header, b.seal, b.warnings ?? []) },
    equal: first === null && counts.changed + counts.only_a + counts.only_b === 0,
    first,
    exchanges,
    counts,
    tokens: { a: sum(xa, (e) => e.tokens), b: sum(xb, (e) => e.tokens) },
    cost: {
      a: sum(xa, (e) => e.cost ?? 0),
      b: sum(xb, (e) => e.cost ?? 0),
      currency: table.currency ?? 'USD',
      priced_at: table.pricedAt,
    },
    offsets: [0],
    packs: [],
  };
}

export interface BuiltDiff {
  data: DiffData;
  /** The step-level comparison `replaypack diff` has always printed (text and --json). */
  result: CassetteDiff;
}

export async function buildDiff(
  fileA: string,
  fileB: string,
  options: MatchOptions & { prices?: PriceTable } = {},
): Promise<BuiltDiff> {
  const { prices, ...match } = options;
  const [result, ca, cb] = await Promise.all([
    diffCassettes(fileA, fileB, match),
    loadCassette(fileA),
    loadCassette(fileB),
  ]);
  const first = result.first
    ? {
        message: result.first.message,
        path: result.first.difference?.path ?? null,
        exchange: result.first.exchange,
      }
    : null;
  const data = diffSteps(
    { file: result.a, ...ca },
    { file: result.b, ...cb },
    first,
    prices ? { prices } : {},
  );
  // The canonical comparison is the judge: the conversation view only explains it.
  data.equal = result.equal;
  return { data, result };
}
