/** `replaykit/listener`: the programmatic twin of `replaypack listen ...`. */

export type {
  CaptureSink,
  ExchangeError,
  ExchangeRecorder,
  ExchangeStart,
} from './capture-hooks.ts';
export type { Gateway, GatewayCloseResult, GatewayHealth, GatewayOptions } from './gateway.ts';
export { createGateway } from './gateway.ts';
export type { GatewayCounts } from './gateway-context.ts';
export type { ListenOptions, UpstreamProvider } from './options.ts';
export { DEFAULT_UPSTREAMS } from './options.ts';
export type { ListenerMode, ListenerPolicy, ListenerState } from './state.ts';
