/**
 * The built-in price table: list prices in USD per million tokens, standard (non-batch) tier, for
 * prompts in each model's lowest size band. Prices change; `pricedAt` says when these were read,
 * and `--prices FILE` (or the `prices` option) overrides or extends them without a release.
 *
 * Read from the providers' pricing pages (openai.com/api/pricing, platform.claude.com/docs/en/
 * about-claude/pricing, ai.google.dev/gemini-api/docs/pricing) on the date below. Long-prompt
 * bands (Gemini Pro over 200k, Claude Haiku 5.5 over 100k) and 1-hour cache writes are not
 * modelled: the figure is an estimate of what replay saved, not an invoice.
 */
import type { PriceTable } from './table.ts';

export const BUILT_IN_PRICES: PriceTable = {
  pricedAt: '2026-12-01',
  currency: 'USD',
  models: {
    // OpenAI: cached input is a subset of input tokens.
    'gpt-5.5': { provider: 'openai', input: 5, output: 30, cachedInput: 0.5 },
    'gpt-5.4': { provider: 'openai', input: 2.5, output: 15, cachedInput: 0.25 },
    'gpt-5.4-mini': { provider: 'openai', input: 0.75, output: 4.5, cachedInput: 0.075 },
    'gpt-5.4-nano': { provider: 'openai', input: 0.2, output: 1.25, cachedInput: 0.02 },
    'gpt-5.2': { provider: 'openai', input: 1.75, output: 14, cachedInput: 0.175 },
    'gpt-5.1': { provider: 'openai', input: 1.25, output: 10, cachedInput: 0.125 },
    'gpt-5.1-codex': { provider: 'openai', input: 1.25, output: 10, cachedInput: 0.125 },
    'gpt-5': { provider: 'openai', input: 1.25, output: 10, cachedInput: 0.125 },
    'gpt-5-codex': { provider: 'openai', input: 1.25, output: 10, cachedInput: 0.125 },
    'gpt-5-mini': { provider: 'openai', input: 0.25, output: 2, cachedInput: 0.025 },
    'gpt-5-nano': { provider: 'openai', input: 0.05, output: 0.4, cachedInput: 0.005 },
    'gpt-4.1': { provider: 'openai', input: 2, output: 8, cachedInput: 0.5 },
    'gpt-4.1-mini': { provider: 'openai', input: 0.4, output: 1.6, cachedInput: 0.1 },
    'gpt-4.1-nano': { provider: 'openai', input: 0.1, output: 0.4, cachedInput: 0.025 },
    'gpt-4o': { provider: 'openai', input: 2.5, output: 10, cachedInput: 1.25 },
    'gpt-4o-mini': { provider: 'openai', input: 0.15, output: 0.6, cachedInput: 0.075 },
    o3: { provider: 'openai', input: 2, output: 8, cachedInput: 0.5 },
    'o4-mini': { provider: 'openai', input: 1.1, output: 4.4, cachedInput: 0.275 },
    // Anthropic: cache reads and 5-minute cache writes are counted apart from input tokens.
    'claude-fable-5-1': {
      provider: 'anthropic',
      input: 10,
      output: 50,
      cachedInput: 0.25,
      cacheWrite: 12.5,
    },
    'claude-opus-5-5': {
      provider: 'anthropic',
      input: 4,
      output: 20,
      cachedInput: 0.2,
      cacheWrite: 5,
    },
    'claude-opus-5': {
      provider: 'anthropic',
      input: 5,
      output: 25,
      cachedInput: 0.5,
      cacheWrite: 6.25,
    },
    'claude-opus-4-8': {
      provider: 'anthropic',
      input: 5,
      output: 25,
      cachedInput: 0.5,
      cacheWrite: 6.25,
    },
    'claude-opus-4-7': {
      provider: 'anthropic',
      input: 5,
      output: 25,
      cachedInput: 0.5,
      cacheWrite: 6.25,
    },
    'claude-opus-4-6': {
      provider: 'anthropic',
      input: 5,
      output: 25,
      cachedInput: 0.5,
      cacheWrite: 6.25,
    },
    'claude-opus-4-5': {
      provider: 'anthropic',
      input: 5,
      output: 25,
      cachedInput: 0.5,
      cacheWrite: 6.25,
    },
    'claude-opus-4-1': {
      provider: 'anthropic',
      input: 15,
      output: 75,
      cachedInput: 1.5,
      cacheWrite: 18.75,
    },
    'claude-sonnet-5-5': {
      provider: 'anthropic',
      input: 2,
      output: 10,
      cachedInput: 0.1,
      cacheWrite: 2.5,
    },
    'claude-sonnet-5': {
      provider: 'anthropic',
      input: 2,
      output: 10,
      cachedInput: 0.2,
      cacheWrite: 2.5,
    },
    'claude-sonnet-4-6': {
      provider: 'anthropic',
      input: 3,
      output: 15,
      cachedInput: 0.3,
      cacheWrite: 3.75,
    },
    'claude-sonnet-4-5': {
      provider: 'anthropic',
      input: 3,
      output: 15,
      cachedInput: 0.3,
      cacheWrite: 3.75,
    },
    'claude-sonnet-4': {
      provider: 'anthropic',
      input: 3,
      output: 15,
      cachedInput: 0.3,
      cacheWrite: 3.75,
    },
    'claude-haiku-5-5': {
      provider: 'anthropic',
      input: 0.1,
      output: 0.5,
      cachedInput: 0.01,
      cacheWrite: 0.125,
    },
    'claude-haiku-4-5': {
      provider: 'anthropic',
      input: 1,
      output: 5,
      cachedInput: 0.1,
      cacheWrite: 1.25,
    },
    'claude-3-5-haiku': {
      provider: 'anthropic',
      input: 0.8,
      output: 4,
      cachedInput: 0.08,
      cacheWrite: 1,
    },
    // Gemini: cached content is a subset of prompt tokens; thinking tokens bill as output.
    'gemini-3-pro-preview': { provider: 'gemini', input: 2, output: 12, cachedInput: 0.2 },
    'gemini-3-flash-preview': { provider: 'gemini', input: 0.5, output: 3, cachedInput: 0.05 },
    'gemini-2.5-pro': { provider: 'gemini', input: 1.25, output: 10, cachedInput: 0.125 },
    'gemini-2.5-flash': { provider: 'gemini', input: 0.3, output: 2.5, cachedInput: 0.03 },
    'gemini-2.5-flash-lite': { provider: 'gemini', input: 0.1, output: 0.4, cachedInput: 0.01 },
    'gemini-2.0-flash': { provider: 'gemini', input: 0.1, output: 0.4, cachedInput: 0.025 },
  },
};
