/**
 * A dated price table and the lookup of a model in it. The table is data (prices.ts); a user's
 * override file has the same shape and is merged over it, so a new model or a price change needs
 * no release (issue 20 item 4: "the same dated, overridable price table as the viewer").
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ReplayKitError } from '../errors.ts';
import { BUILT_IN_PRICES } from './prices.ts';

const PerMillion = z.number().nonnegative();

export const ModelPrice = z.object({
  provider: z.string().min(1),
  /** USD (or the table's currency) per million input tokens not served from a cache. */
  input: PerMillion,
  output: PerMillion,
  /** Per million input tokens read from the provider's prompt cache; defaults to `input`. */
  cachedInput: PerMillion.optional(),
  /** Per million tokens written to the prompt cache (Anthropic); defaults to `input`. */
  cacheWrite: PerMillion.optional(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const PriceTable = z.object({
  /** The day these prices were read (YYYY-MM-DD): every cost figure is as of this date. */
  pricedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
  currency: z.string().min(1).default('USD'),
  models: z.record(z.string().min(1), ModelPrice),
});
export type PriceTable = z.input<typeof PriceTable>;

/** An override file: `pricedAt` is required (a price without a date is a guess); `replace` drops the built-in models. */
export const PriceOverride = PriceTable.extend({ replace: z.boolean().optional() });

/**
 * Model ids carry dates and version tags the price does not depend on: `gpt-4o-2024-08-06`,
 * `claude-sonnet-4-5-20250929`, `gemini-2.5-flash-001`, `...-latest`, and Gemini's `models/`
 * path prefix. Anything else after a known name (`gpt-4o-mini` after `gpt-4o`) is another model.
 */
const VERSION_TAIL = /^(?:-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{3}|-latest)$/;

export interface PriceMatch {
  model: string;
  price: ModelPrice;
}

/** The table entry for `model`, or null when the table has no price for it. */
export function priceFor(table: PriceTable, model: string | null | undefined): PriceMatch | null {
  if (!model) return null;
  const id = model.replace(/^models\//, '').toLowerCase();
  const exact = table.models[id];
  if (exact) return { model: id, price: exact };
  for (const [name, price] of Object.entries(table.models)) {
    if (id.startsWith(name.toLowerCase()) && VERSION_TAIL.test(id.slice(name.length))) {
      return { model: name, price };
    }
  }
  return null;
}

/** The built-in table with `override` merged over it (model by model, its date and currency winning). */
export function mergePrices(
  override: z.infer<typeof PriceOverride>,
  base: PriceTable = BUILT_IN_PRICES,
): PriceTable {
  return {
    pricedAt: override.pricedAt,
    currency: override.currency,
    models: { ...(override.replace ? {} : base.models), ...override.models },
  };
}

/** Reads a `--prices FILE` override; a relative path resolves against `cwd`. */
export async function loadPriceTable(file: string, cwd = process.cwd()): Promise<PriceTable> {
  const full = path.resolve(cwd, file);
  return parsePriceTable(
    full,
    await readFile(full, 'utf8').catch((e: unknown) => readFailed(full, e)),
  );
}

/** As `loadPriceTable`, for the end-of-run reports (runner hooks that may not await). */
export function loadPriceTableSync(file: string, cwd = process.cwd()): PriceTable {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    readFailed(full, error);
  }
  return parsePriceTable(full, text);
}

function readFailed(full: string, error: unknown): never {
  throw new ReplayKitError(
    'E_PRICES_READ',
    `Failed to read price table "${full}": ${(error as NodeJS.ErrnoException).code ?? String(error)}. Check the path given to --prices.`,
    { cause: error },
  );
}

function parsePriceTable(full: string, text: string): PriceTable {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ReplayKitError(
      'E_PRICES_FORMAT',
      `Failed to read price table "${full}": not JSON (${(error as Error).message}). See docs/CLI.md#price-tables for the format.`,
      { cause: error, exitCode: 3 },
    );
  }
  const parsed = PriceOverride.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ReplayKitError(
      'E_PRICES_FORMAT',
      `Failed to read price table "${full}": ${issue.path.join('.') || '(top level)'}: ${issue.message}. See docs/CLI.md#price-tables for the format.`,
      { exitCode: 3 },
    );
  }
  return mergePrices(parsed.data);
}
