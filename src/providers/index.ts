/**
 * Provider adapters: the one module set the recorder, the listener and the replay engine use to
 * name routes, turn exchanges into steps, assemble streams and normalise volatile fields.
 */

export type { AgentName, AgentNormalizer } from './agents.ts';
export { detectAgent } from './agents.ts';
export { assembleBody, assembleEvents } from './assemble.ts';
export type { AssemblyResult } from './assembler.ts';
export type { DecodedBody } from './body.ts';
export { type BodyLayout, bodyLayout, decodeBody, encodeBody } from './body.ts';
export { createStreamCapture } from './capture.ts';
export { dataText, encodeStream, encodeStreamEvent, JSON_ARRAY } from './encode.ts';
export { normalizeRequest, normalizeStep } from './normalize.ts';
export { isOpaque, OPAQUE, opaqueRoute, PROVIDER_HOSTS, ProviderHosts } from './opaque.ts';
export type { RouteRequest } from './routes.ts';
export { detectRoute, requestIdOf } from './routes.ts';
export { requestSteps, responseSteps } from './steps.ts';
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
