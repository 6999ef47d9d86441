/**
 * The `replaykit` entry point: the framework-agnostic API. Integrations live under their own
 * subpaths (`replaykit/vitest`, `replaykit/jest`, `replaykit/msw`, `replaykit/listener`).
 */

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
export { VERSION } from './version.ts';
