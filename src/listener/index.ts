/** `replaykit/listener`: the programmatic twin of `replaypack listen ...`. */

export type {
  CaptureSink,
  ExchangeError,
  ExchangeRecorder,
  ExchangeStart,
} from './capture-hooks.ts';

import '../node-check.ts';

export type { Agent, EnvOptions, EnvResult, Shell } from './env.ts';
export { listenerEnv, quote, setLine } from './env.ts';
export type { ForegroundOptions, ForegroundRun } from './foreground.ts';
export { runForeground } from './foreground.ts';
export type { Gateway, GatewayCloseResult, GatewayHealth, GatewayOptions } from './gateway.ts';
export { createGateway } from './gateway.ts';
export type { GatewayCounts } from './gateway-context.ts';
export type { ListenOptions, UpstreamProvider } from './options.ts';
export { DEFAULT_UPSTREAMS, parseUpstreamArgs } from './options.ts';
export type { StartOptions, StartResult } from './start.ts';
export { startListener } from './start.ts';
export type { ListenerMode, ListenerPolicy, ListenerState } from './state.ts';
export type { ListenerStatus, StatusOptions } from './status.ts';
export { listenerStatus } from './status.ts';
export type { StopOptions, StopResult } from './stop.ts';
export { stopListener } from './stop.ts';
