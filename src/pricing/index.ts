export { type CostReport, costOf, formatCost, type UsageReport, UsageTally } from './cost.ts';
export { BUILT_IN_PRICES } from './prices.ts';
export { stepUsageCounter } from './steps.ts';
export {
  loadPriceTable,
  loadPriceTableSync,
  type ModelPrice,
  mergePrices,
  type PriceMatch,
  type PriceTable,
  priceFor,
} from './table.ts';
export { addTokens, type TokenCounts, tokensOf, totalTokens } from './usage.ts';
