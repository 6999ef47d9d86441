import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_PRICES,
  costOf,
  formatCost,
  loadPriceTable,
  priceFor,
  tokensOf,
  UsageTally,
} from '../../../src/pricing/index.ts';

// Real usage blocks, as each API sends them.
const chatUsage = {
  prompt_tokens: 1200,
  completion_tokens: 300,
  total_tokens: 1500,
  prompt_tokens_details: { cached_tokens: 1000, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
};
const responsesUsage = {
  input_tokens: 2000,
  input_tokens_details: { cached_tokens: 500 },
  output_tokens: 100,
  output_tokens_details: { reasoning_tokens: 64 },
  total_tokens: 2100,
};
const anthropicUsage = {
  input_tokens: 10,
  cache_creation_input_tokens: 2000,
  cache_read_input_tokens: 8000,
  output_tokens: 50,
  service_tier: 'standard',
};
const geminiUsage = {
  promptTokenCount: 1000,
  cachedContentTokenCount: 400,
  candidatesTokenCount: 20,
  thoughtsTokenCount: 80,
  totalTokenCount: 1100,
};

describe('the built-in price table', () => {
  it('is dated and prices current models of the three providers', () => {
    expect(BUILT_IN_PRICES.pricedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const providers = new Set(Object.values(BUILT_IN_PRICES.models).map((m) => m.provider));
    expect([...providers].sort()).toEqual(['anthropic', 'gemini', 'openai']);
    for (const model of ['gpt-5', 'gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash']) {
      expect(priceFor(BUILT_IN_PRICES, model), model).not.toBeNull();
    }
  });

  it('finds dated and tagged model ids, and never mistakes one model for a longer-named one', () => {
    expect(priceFor(BUILT_IN_PRICES, 'gpt-4o-2024-08-06')?.model).toBe('gpt-4o');
    expect(priceFor(BUILT_IN_PRICES, 'claude-sonnet-4-5-20250929')?.model).toBe(
      'claude-sonnet-4-5',
    );
    expect(priceFor(BUILT_IN_PRICES, 'models/gemini-2.5-flash-001')?.model).toBe(
      'gemini-2.5-flash',
    );
    expect(priceFor(BUILT_IN_PRICES, 'gpt-4o-mini')?.model).toBe('gpt-4o-mini');
    expect(priceFor(BUILT_IN_PRICES, 'gpt-4o-mini-2024-07-18')?.model).toBe('gpt-4o-mini');
    expect(priceFor(BUILT_IN_PRICES, 'gpt-5.9')).toBeNull();
    expect(priceFor(BUILT_IN_PRICES, 'gpt-4o-audio-preview')).toBeNull();
    expect(priceFor(BUILT_IN_PRICES, 'gpt-test')).toBeNull();
    expect(priceFor(BUILT_IN_PRICES, null)).toBeNull();
  });
});

describe('tokensOf', () => {
  it('reads each API usage block into disjoint counts', () => {
    expect(tokensOf(chatUsage)).toEqual({
      input: 200,
      cachedInput: 1000,
      cacheWrite: 0,
      output: 300,
    });
    expect(tokensOf(responsesUsage)).toEqual({
      input: 1500,
      cachedInput: 500,
      cacheWrite: 0,
      output: 100,
    });
    expect(tokensOf(anthropicUsage)).toEqual({
      input: 10,
      cachedInput: 8000,
      cacheWrite: 2000,
      output: 50,
    });
    expect(tokensOf(geminiUsage)).toEqual({
      input: 600,
      cachedInput: 400,
      cacheWrite: 0,
      output: 100,
    });
    // Bedrock Converse (and its stream's metadata event): cache reads and writes beside input.
    expect(
      tokensOf({
        inputTokens: 120,
        outputTokens: 30,
        totalTokens: 650,
        cacheReadInputTokens: 400,
        cacheWriteInputTokens: 100,
      }),
    ).toEqual({ input: 120, cachedInput: 400, cacheWrite: 100, output: 30 });
    // Ollama's native API: prompt_eval_count / eval_count, as its assembler keeps them.
    expect(tokensOf({ prompt_eval_count: 26, eval_count: 12 })).toEqual({
      input: 26,
      cachedInput: 0,
      cacheWrite: 0,
      output: 12,
    });
    expect(tokensOf(null)).toBeNull();
    expect(tokensOf({ foo: 1 })).toBeNull();
  });
});

describe('costOf', () => {
  it('prices cached and written cache tokens at their own rates', () => {
    // claude-sonnet-4-5: 3 in, 15 out, 0.30 cache read, 3.75 cache write per million.
    const price = priceFor(BUILT_IN_PRICES, 'claude-sonnet-4-5')!.price;
    const tokens = tokensOf(anthropicUsage)!;
    expect(costOf(tokens, price)).toBeCloseTo(
      (10 * 3 + 8000 * 0.3 + 2000 * 3.75 + 50 * 15) / 1e6,
      12,
    );
  });

  it('a tally is the sum of its responses, per provider and in total, whatever the usage', () => {
    const counts = fc.record({
      prompt_tokens: fc.nat(1_000_000),
      completion_tokens: fc.nat(1_000_000),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('gpt-5', 'gpt-4o-mini', 'gpt-test'), counts)),
        (calls) => {
          const tally = new UsageTally(BUILT_IN_PRICES);
          let expected = 0;
          for (const [model, usage] of calls) {
            tally.add('openai', model, usage);
            const price = priceFor(BUILT_IN_PRICES, model)?.price;
            if (price) expected += costOf(tokensOf(usage)!, price);
          }
          const cost = tally.cost();
          expect(cost.total).toBeCloseTo(expected, 3);
          expect(tally.usage().tokens.output).toBe(
            calls.reduce((n, [, u]) => n + u.completion_tokens, 0),
          );
          const unpricedSeen = calls.some(
            ([m, u]) => m === 'gpt-test' && u.prompt_tokens + u.completion_tokens > 0,
          );
          expect(cost.unpriced).toEqual(unpricedSeen ? ['gpt-test'] : []);
        },
      ),
    );
  });

  it('reports per provider, names unpriced models and formats small amounts', () => {
    const tally = new UsageTally(BUILT_IN_PRICES);
    tally.add('openai', 'gpt-4o-mini', chatUsage);
    tally.add('anthropic', 'claude-sonnet-4-5-20250929', anthropicUsage);
    tally.add('gemini', 'gemini-2.5-flash', geminiUsage);
    tally.add('openai', 'gpt-test', chatUsage);
    const cost = tally.cost();
    expect(Object.keys(cost.providers)).toEqual(['anthropic', 'gemini', 'openai']);
    expect(cost.unpriced).toEqual(['gpt-test']);
    expect(cost.pricedAt).toBe(BUILT_IN_PRICES.pricedAt);
    expect(tally.usage().providers.openai?.output).toBe(600);
    expect(formatCost(0.0123, 'USD')).toBe('$0.0123');
    expect(formatCost(12.5, 'USD')).toBe('$12.50');
    expect(formatCost(0.0000453, 'USD')).toBe('$0.000045');
    expect(formatCost(0, 'USD')).toBe('$0.00');
    expect(formatCost(1, 'EUR')).toBe('1.00 EUR');
  });
});

describe('loadPriceTable (--prices FILE)', () => {
  async function write(content: string): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'rk-prices-'));
    const file = path.join(dir, 'prices.json');
    await writeFile(file, content);
    return file;
  }

  it('merges an override over the built-in table, its date winning', async () => {
    const file = await write(
      JSON.stringify({
        pricedAt: '2027-01-15',
        models: {
          'gpt-4o-mini': { provider: 'openai', input: 1, output: 2 },
          'my-local-model': { provider: 'openai', input: 0.5, output: 0.5 },
        },
      }),
    );
    const table = await loadPriceTable(file);
    expect(table.pricedAt).toBe('2027-01-15');
    expect(priceFor(table, 'gpt-4o-mini')?.price.input).toBe(1);
    expect(priceFor(table, 'my-local-model')?.price.output).toBe(0.5);
    expect(priceFor(table, 'gpt-5')?.price).toEqual(BUILT_IN_PRICES.models['gpt-5']);
    const replaced = await loadPriceTable(
      await write(
        JSON.stringify({ pricedAt: '2027-01-15', replace: true, currency: 'EUR', models: {} }),
      ),
    );
    expect(priceFor(replaced, 'gpt-5')).toBeNull();
    expect(replaced.currency).toBe('EUR');
  });

  it('refuses a file that is not a dated table, saying where and what', async () => {
    await expect(loadPriceTable(await write('{"models":{}}'))).rejects.toThrow(
      /Failed to read price table ".*prices\.json": pricedAt: .*docs\/CLI\.md#price-tables/,
    );
    await expect(
      loadPriceTable(await write('{"pricedAt":"2027-01-01","models":{"x":{"input":-1}}}')),
    ).rejects.toThrow(/models\.x\./);
    await expect(loadPriceTable(await write('not json'))).rejects.toMatchObject({ exitCode: 3 });
    await expect(loadPriceTable('/nonexistent/prices.json')).rejects.toThrow(
      /Failed to read price table "\/nonexistent\/prices\.json": ENOENT\. Check the path given to --prices\./,
    );
  });
});
