/**
 * Which provider a request is for, which error shape a client expects, and the path to request
 * upstream: all from the provider registry (the route matrix in docs/CONTRACT.md), never a copy.
 */
import {
  detectRoute,
  KNOWN_SERVERS,
  type ProviderName,
  providerModule,
  type RouteInfo,
  errorShapeFor as registryErrorShape,
  supportedRoutes,
} from '../providers/index.ts';
import type { UpstreamProvider } from './options.ts';

export interface GatewayRoute {
  provider: ProviderName;
  endpoint: string;
  /** Its key in the listener's upstreams when not the provider's name: `compat:NAME`. */
  upstream?: UpstreamProvider;
}

/** Human-readable list for unsupported-route errors. */
export const SUPPORTED_ROUTES: readonly string[] = supportedRoutes();

type NodeHeaders = Record<string, string | string[] | undefined>;

/** Node's header object as route detection takes it (repeats joined as fetch joins them). */
export function flatHeaders(headers: NodeHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * The route of a request as the gateway sees it first: before its body is read (the body only
 * fills in model and stream, which the capture's step detection adds).
 */
export function detectGatewayRoute(
  method: string,
  url: string,
  headers: NodeHeaders,
): RouteInfo | null {
  return detectRoute({ method, url, headers: flatHeaders(headers), body: null });
}

/** The contract route for a request (providers/ decides), or null when we do not forward it. */
export function matchRoute(method: string, url: string, headers: NodeHeaders): GatewayRoute | null {
  const route = detectGatewayRoute(method, url, headers);
  if (!route) return null;
  const own = { provider: route.provider, endpoint: route.endpoint };
  return route.providerName ? { ...own, upstream: `compat:${route.providerName}` } : own;
}

/** The provider whose error shape a client expects, even for a route we do not know. */
export function errorShapeFor(url: string, headers: NodeHeaders): UpstreamProvider {
  return registryErrorShape(url, flatHeaders(headers));
}

/**
 * The base URL a route goes to: `--upstream` (or the default) for its key; an OpenAI-compatible
 * server not configured goes to its documented base URL when it is a known one.
 */
export function upstreamBase(
  upstreams: Readonly<Record<string, string>>,
  route: GatewayRoute,
): string | undefined {
  const key = route.upstream ?? route.provider;
  const configured = upstreams[key];
  if (configured !== undefined) return configured;
  const name = key.startsWith('compat:') ? key.slice(7) : null;
  return name === null ? undefined : KNOWN_SERVERS[name];
}

/** The path to request upstream: as received, unless the provider module says otherwise. */
export function upstreamPath(route: GatewayRoute | null, url: string): string {
  const module = route ? providerModule(route.provider) : undefined;
  return module?.upstreamPath ? module.upstreamPath(url) : url;
}
