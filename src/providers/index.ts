/**
 * Provider adapters: the one module set the recorder, the listener and the replay engine use to
 * name routes, turn exchanges into steps, assemble streams and normalise volatile fields. Each
 * provider is a folder behind `ProviderModule` (module.ts), listed in registry.ts.
 */

export type { AgentName, AgentNormalizer } from './agents.ts';
export { detectAgent } from './agents.ts';
export { assembleBody, assembleEvents } from './assemble.ts';
export type { AssemblyResult } from './assembler.ts';
export type { DecodedBody } from './body.ts';
export { type BodyLayout, bodyLayout, decodeBody, decodedOf, encodeBody } from './body.ts';
export { createStreamCapture } from './capture.ts';
export { dataText, encodeStream, encodeStreamEvent, JSON_ARRAY } from './encode.ts';
export type {
  ProviderErrorInfo,
  ProviderModule,
  ProviderName,
  RouteRequest,
  StreamCodec,
  SyntheticInput,
} from './module.ts';
export { normalizeRequest, normalizeStep } from './normalize.ts';
export { isOpaque, OPAQUE, opaqueRoute, ProviderHosts } from './opaque.ts';
export { configureCompatible, KNOWN_SERVERS } from './openai-compatible/servers.ts';
export {
  defaultUpstreams,
  detectRoute,
  errorShapeFor,
  PROVIDER_HOSTS,
  PROVIDER_NAMES,
  PROVIDERS,
  providerErrorBody,
  providerModule,
  requestIdOf,
  sdkOf,
  supportedRoutes,
} from './registry.ts';
export { decodeRequest, requestSteps, responseSteps, routeOf } from './steps.ts';
export { responseStreamFormat, streamCodec } from './stream-formats.ts';
export type { ToolResult } from './tools.ts';
export { toolResultsOf } from './tools.ts';
export type {
  RawRequest,
  ResponseInput,
  RouteInfo,
  StepContext,
  StreamCapture,
} from './types.ts';
export { VOLATILE } from './volatile.ts';
