/**
 * Raw exchanges to canonical steps. Order within one exchange (docs/CONTRACT.md):
 * `tool.response`* → `model.request` → `model.response` → `tool.request`*, so a reader sees each
 * tool result just before the request that carried it back, and each tool call just after the
 * response that asked for it. Results and calls keep the order the provider gave them.
 */
import type {
  Assembled,
  ModelRequest,
  ModelResponse,
  StepInput,
  ToolRequest,
  ToolResponse,
} from '../cassette/schema.ts';
import { assembleBody, assembleEvents } from './assemble.ts';
import { type DecodedBody, decodeBody } from './body.ts';
import { isOpaque } from './opaque.ts';
import { detectRoute, requestIdOf } from './registry.ts';
import { toolResultsOf } from './tools.ts';
import type { RawRequest, ResponseInput, RouteInfo, StepContext } from './types.ts';
import { headerOf } from './util.ts';

type StepOf<T> = Omit<T, 'index'>;

function base(route: RouteInfo | null, ctx: StepContext) {
  return {
    correlation_id: ctx.correlation_id,
    provider: route?.provider ?? 'unknown',
    ...(route?.providerName ? { provider_name: route.providerName } : {}),
    endpoint: route?.endpoint ?? 'unknown',
    offset_ms: ctx.offset_ms,
  } as const;
}

/**
 * A request's body as it is stored: decoded once, at the front door, and passed along.
 * `exact`: an opaque exchange's, kept byte for byte.
 */
export function decodeRequest(req: RawRequest, exact = false): DecodedBody {
  // A WebSocket client frame is always JSON text, whatever the upgrade's content-type said.
  const contentType =
    req.transport === 'websocket' ? 'application/json' : headerOf(req.headers, 'content-type');
  return decodeBody(req.body, contentType, { exact });
}

/** The route of a decoded request: detected once per exchange, by the front door. */
export function routeOf(req: RawRequest, decoded: DecodedBody): RouteInfo | null {
  if (req.transport !== 'websocket') {
    return detectRoute({
      method: req.method,
      url: req.url,
      ...(req.origin ? { origin: req.origin } : {}),
      headers: req.headers,
      body: decoded.body,
    });
  }
  // A client frame belongs to the socket's route (the upgrade), whatever headers came with it.
  const route = detectRoute({ method: 'GET', url: req.url, headers: { upgrade: 'websocket' } });
  if (!route) return null;
  const model = (decoded.body as { model?: unknown } | undefined)?.model;
  return { ...route, model: typeof model === 'string' ? model : route.model };
}

/**
 * The exchange's `model.request` step alone, without the tool results it carries back: what
 * replay matches, once per request (`requestSteps` has both).
 */
export function requestStep(
  req: RawRequest,
  ctx: StepContext,
  /** The route when the front door already knows it: not detected again. */
  known?: RouteInfo | null,
  /** The body when the front door already decoded it: not decoded again. */
  given?: DecodedBody,
): { route: RouteInfo | null; request: StepOf<ModelRequest> } {
  const decoded = given ?? decodeRequest(req, isOpaque(known));
  const route = known === undefined ? routeOf(req, decoded) : known;
  const request: StepOf<ModelRequest> = {
    type: 'model.request',
    ...base(route, ctx),
    method: req.method,
    url: req.url,
    ...(req.origin ? { origin: req.origin } : {}),
    transport: req.transport,
    stream: route?.stream ?? false,
    model: route?.model ?? null,
    headers: { ...req.headers },
    ...decoded,
  };
  return { route, request };
}

export function requestSteps(
  req: RawRequest,
  ctx: StepContext,
  known?: RouteInfo | null,
  decoded?: DecodedBody,
): { route: RouteInfo | null; steps: StepInput[] } {
  const { route, request } = requestStep(req, ctx, known, decoded);
  const results: StepOf<ToolResponse>[] =
    route && !isOpaque(route)
      ? toolResultsOf(route, request.body).map((result) => ({
          type: 'tool.response',
          ...base(route, ctx),
          ...result,
        }))
      : [];
  return { route, steps: [...results, request] };
}

export function responseSteps(route: RouteInfo, res: ResponseInput, ctx: StepContext): StepInput[] {
  const firstEvent = res.stream?.events[0]?.data;
  const idSource = res.body !== undefined ? res.body : firstEvent;
  const response: StepOf<ModelResponse> = {
    type: 'model.response',
    ...base(route, ctx),
    // Some providers put the id in the body only; a caller that streamed events elsewhere still
    // has it in the assembly.
    request_id: requestIdOf(route, res.headers, idSource, res.assembled),
    status: res.status,
    headers: { ...res.headers },
  };
  let assembled: Assembled | undefined = res.assembled;
  // An opaque exchange is kept as it came: no assembly, no tool steps.
  if (isOpaque(route)) return [{ ...response, ...res.decoded }];
  if (res.body !== undefined) {
    if (typeof res.body === 'string') response.body_text = res.body;
    else response.body = res.body;
    if (!assembled && res.status < 400) assembled = assembleBody(route, res.body);
  }
  if (res.stream) {
    response.stream = res.stream;
    assembled ??= assembleEvents(route, res.stream.events, res.stream.state).assembled;
  }
  if (assembled) response.assembled = assembled;
  if (res.diagnostics && res.diagnostics.length > 0) response.diagnostics = res.diagnostics;
  const calls: StepOf<ToolRequest>[] = (assembled?.tool_calls ?? []).map((call) => ({
    type: 'tool.request',
    ...base(route, ctx),
    call_id: call.id,
    name: call.name,
    kind: call.kind,
    arguments: call.arguments,
  }));
  return [response, ...calls];
}
