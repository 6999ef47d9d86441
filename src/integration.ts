/**
 * `replaykit/integration`: the entry point the test-runner and mock-library integrations build on
 * (issue 16 item 3: integrations/ imports only public entry points, `replaykit` and this one;
 * before, 19 imports reached into src/). It holds the machinery a runner plugin needs beyond the
 * main API: a replay engine as an intercept handler, `record()`'s scopes, the cassette writer,
 * the end-of-run ledger, prices and the divergence page. Third-party integrations may use it too;
 * it follows the package's semver like the main entry.
 */

export { effectiveMode, type Mode, resolveMode } from './capture/mode.ts';
export { divergenceTrace, expectReplayParity, type ParityOptions } from './capture/parity.ts';
export {
  type Recording,
  type RecordOptions,
  runWithin,
  type ServedUsage,
  start,
  type UnusedExchange,
} from './capture/record.ts';
export { ReplayHandler } from './capture/replayer.ts';
export { writeLastRun } from './cassette/last-run.ts';
export type { ModelRequest } from './cassette/schema.ts';
export { createCassetteWriter } from './cassette/writer.ts';
export { cliName } from './cli-name.ts';
export { ReplayKitError } from './errors.ts';
export { assertSupportedNode } from './node-version.ts';
export { normalizeStep } from './pipeline/canonical.ts';
export {
  BUILT_IN_PRICES,
  type CostReport,
  formatCost,
  type PriceTable,
  type UsageReport,
  UsageTally,
} from './pricing/index.ts';
export { loadPriceTableSync } from './pricing/table.ts';
export { createRedactor, type RedactorOptions } from './redaction/index.ts';
export { ReplayDivergenceError } from './replay/divergence.ts';
export type { MatchMode, MatchOptions, ReplayMatcher } from './replay/matcher.ts';
export { type OpenedReplay, openReplay, type ReplayOptions } from './replay/open.ts';
export { displayPath } from './replay/parity.ts';
export { VERSION } from './version.ts';
export { writeDivergencePage } from './viewer/divergence-page.ts';
