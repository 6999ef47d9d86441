/**
 * The `replaykit` entry point: the framework-agnostic API. Integrations live under their own
 * subpaths (`replaykit/vitest`, `replaykit/jest`, `replaykit/msw`, `replaykit/listener`).
 */

export type { Mode } from './capture/mode.ts';
export { MODES, resolveMode } from './capture/mode.ts';
export type { ParityOptions, ParityResult } from './capture/parity.ts';
export { expectReplayParity } from './capture/parity.ts';
export type { Recording, RecordOptions, RecordResult, UnusedExchange } from './capture/record.ts';
export { record } from './capture/record.ts';
export type {
  AgentEvent,
  Assembled,
  ErrorEvent,
  ModelRequest,
  ModelResponse,
  RunHeader,
  Step,
  StepType,
  StreamEvent,
  ToolRequest,
  ToolResponse,
} from './cassette/schema.ts';
export { CassetteFormatError, ExitCode, ReplayKitError, UsageError } from './errors.ts';
export type { ChaosOptions } from './replay/chaos.ts';
export type { ChaosStatus } from './replay/chaos-errors.ts';
export type { DivergenceDetails } from './replay/divergence.ts';
export { ReplayDivergenceError } from './replay/divergence.ts';
export type { MatchMode, MatchOptions } from './replay/matcher.ts';
export type { ReplaySummary } from './replay/parity.ts';
export { replayCassette } from './replay/parity.ts';
export type { UpdateReport } from './replay/update-cassette.ts';
export { VERSION } from './version.ts';

import { expectReplayParity } from './capture/parity.ts';
import { record } from './capture/record.ts';
import { replayCassette } from './replay/parity.ts';

/** `import replaykit from 'replaykit'; await replaykit.record(...)`. */
const replaykit = { record, expectReplayParity, replayCassette };
export default replaykit;
