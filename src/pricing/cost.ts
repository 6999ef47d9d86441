/**
 * What tokens would have cost live, and a tally over many responses, per provider and in total.
 * Models the table has no price for are named, never priced at zero silently.
 */
import { type ModelPrice, type PriceTable, priceFor } from './table.ts';
import { addTokens, type TokenCounts, tokensOf, totalTokens, ZERO_TOKENS } from './usage.ts';

export function costOf(tokens: TokenCounts, price: ModelPrice): number {
  return (
    (tokens.input * price.input +
      tokens.cachedInput * (price.cachedInput ?? price.input) +
      tokens.cacheWrite * (price.cacheWrite ?? price.input) +
      tokens.output * price.output) /
    1_000_000
  );
}

export interface UsageReport {
  tokens: TokenCounts & { total: number };
  providers: Record<string, TokenCounts & { total: number }>;
  /** Responses that carried a usage block. */
  responses: number;
}

export interface CostReport {
  currency: string;
  pricedAt: string;
  /** Rounded to a millionth of the currency unit: one token of the cheapest model is about that. */
  total: number;
  providers: Record<string, number>;
  /** Models seen with usage but no price in the table: their tokens are not in `total`. */
  unpriced: string[];
}

const round = (value: number): number => Math.round(value * 1_000_000) / 1_000_000;
const withTotal = (t: TokenCounts) => ({ ...t, total: totalTokens(t) });

export class UsageTally {
  private tokens: TokenCounts = ZERO_TOKENS;
  private readonly byProvider = new Map<string, TokenCounts>();
  private readonly costs = new Map<string, number>();
  private readonly unpriced = new Set<string>();
  private responses = 0;

  readonly table: PriceTable;

  constructor(table: PriceTable) {
    this.table = table;
  }

  /** One response's usage block; `model` is the response's (or else the request's) model. */
  add(provider: string, model: string | null | undefined, usage: unknown): void {
    const tokens = tokensOf(usage);
    if (!tokens) return;
    this.responses++;
    this.tokens = addTokens(this.tokens, tokens);
    this.byProvider.set(provider, addTokens(this.byProvider.get(provider) ?? ZERO_TOKENS, tokens));
    const match = priceFor(this.table, model);
    if (match) {
      this.costs.set(provider, (this.costs.get(provider) ?? 0) + costOf(tokens, match.price));
    } else if (totalTokens(tokens) > 0) this.unpriced.add(model ?? '(no model)');
  }

  /** Another tally's counts (the same table), e.g. a worker's into the run's. */
  merge(other: { usage: UsageReport; cost: CostReport }): void {
    this.responses += other.usage.responses;
    for (const [provider, t] of Object.entries(other.usage.providers)) {
      const { total: _t, ...counts } = t;
      this.tokens = addTokens(this.tokens, counts);
      this.byProvider.set(
        provider,
        addTokens(this.byProvider.get(provider) ?? ZERO_TOKENS, counts),
      );
    }
    for (const [provider, cost] of Object.entries(other.cost.providers)) {
      this.costs.set(provider, (this.costs.get(provider) ?? 0) + cost);
    }
    for (const model of other.cost.unpriced) this.unpriced.add(model);
  }

  get empty(): boolean {
    return this.responses === 0;
  }

  usage(): UsageReport {
    return {
      tokens: withTotal(this.tokens),
      providers: Object.fromEntries(
        [...this.byProvider]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([p, t]) => [p, withTotal(t)]),
      ),
      responses: this.responses,
    };
  }

  cost(): CostReport {
    let total = 0;
    for (const value of this.costs.values()) total += value;
    return {
      currency: this.table.currency ?? 'USD',
      pricedAt: this.table.pricedAt,
      total: round(total),
      providers: Object.fromEntries(
        [...this.costs].sort(([a], [b]) => a.localeCompare(b)).map(([p, c]) => [p, round(c)]),
      ),
      unpriced: [...this.unpriced].sort(),
    };
  }
}

/** `$0.0123`: a currency amount as the reports print it. */
export function formatCost(amount: number, currency: string): string {
  // Two significant digits below a unit (test runs cost fractions of a cent), cents above.
  const digits =
    amount === 0 || Math.abs(amount) >= 1
      ? 2
      : Math.min(8, Math.max(4, 1 - Math.floor(Math.log10(Math.abs(amount)))));
  const fixed = amount.toFixed(digits);
  return currency === 'USD' ? `$${fixed}` : `${fixed} ${currency}`;
}
