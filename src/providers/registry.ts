/**
 * The provider registry: the one list of provider modules, and the lookups the rest of the code
 * uses instead of switching on a provider (issue 16 item 1). Adding a provider is a folder under
 * providers/ and one line in PROVIDERS.
 *
 * Order matters where routes overlap: route detection, "which SDK sent this" and "which error
 * shape does this client expect" ask modules in this order and take the first answer. Put a
 * module that recognises a request by its headers or a specific path before one that claims a
 * generic path (OpenAI's, which every OpenAI-compatible client also uses) and keep OpenAI last.
 */
import { Provider } from '../cassette/schema.ts';
import { formatMessage } from '../errors.ts';
import anthropic from './anthropic/index.ts';
import azure from './azure/index.ts';
import bedrock from './bedrock/index.ts';
import gemini from './gemini/index.ts';
import type {
  ProviderErrorInfo,
  ProviderModule,
  ProviderName,
  RouteInfo,
  RouteRequest,
  UrlParts,
} from './module.ts';
import ollama from './ollama/index.ts';
import openai from './openai/index.ts';
import compatible from './openai-compatible/index.ts';
import vertex from './vertex/index.ts';

export const PROVIDERS: readonly ProviderModule[] = [
  anthropic,
  gemini,
  vertex,
  bedrock,
  ollama,
  azure,
  // A configured base URL is more specific than OpenAI's generic paths.
  compatible,
  openai,
];

/** The module whose error shape a client gets when nothing says otherwise (the most common one). */
const FALLBACK = openai;

const byName = new Map(PROVIDERS.map((m) => [m.name, m]));
for (const { name } of PROVIDERS) {
  // A cassette naming a provider its reader does not list fails to load: fail here, at once.
  if (!Provider.safeParse(name).success) {
    throw new Error(`provider module "${name}" is not listed in cassette/schema.ts Provider`);
  }
}

/** The module of a provider name as steps store it; undefined for `unknown` and names we lack. */
export function providerModule(name: string): ProviderModule | undefined {
  return byName.get(name as ProviderName);
}

/** Every provider name, in registry order (`--upstream NAME=`). */
export const PROVIDER_NAMES: readonly ProviderName[] = PROVIDERS.map((m) => m.name);

/**
 * Split URLs by the text they came as: a client sends the same few URLs over and over, and both
 * detection and the matcher's normalised view need the split. Bounded: a process that sees many
 * distinct URLs starts over rather than growing.
 */
const splits = new Map<string, UrlParts>();
const MAX_SPLITS = 512;

/** The path (trailing slashes dropped) and query of a URL or path; shared, do not modify. */
export function splitUrl(url: string): UrlParts {
  const known = splits.get(url);
  if (known) return known;
  const parsed = new URL(url, 'http://replaykit.invalid');
  const path = parsed.pathname.length > 1 ? parsed.pathname.replace(/\/+$/, '') : '/';
  const query = Object.freeze([...parsed.searchParams].map((pair) => Object.freeze(pair)));
  const parts = Object.freeze({ path, query });
  if (splits.size >= MAX_SPLITS) splits.clear();
  splits.set(url, parts);
  return parts;
}

/**
 * Which provider, endpoint, model and stream shape a request belongs to. Front doors call it once
 * per exchange and pass the route along; the same table serves the recorder, the listener and the
 * replay index, so a request is named the same way whichever door it came through.
 */
export function detectRoute(req: RouteRequest): RouteInfo | null {
  let parts: UrlParts;
  try {
    parts = splitUrl(req.url);
  } catch {
    return null;
  }
  for (const module of PROVIDERS) {
    const route = module.detect(req, parts);
    if (route) return route;
  }
  return null;
}

/** The provider's id for one exchange (response headers, or the body for providers that put it there). */
export function requestIdOf(
  route: Pick<RouteInfo, 'provider'>,
  headers: Record<string, string>,
  body?: unknown,
  assembled?: Parameters<ProviderModule['requestId']>[2],
): string | null {
  return providerModule(route.provider)?.requestId(headers, body, assembled) ?? null;
}

/** The provider whose SDK sent a request, by the headers each SDK always sends. */
export function sdkOf(headers: Record<string, string>): ProviderName | null {
  return PROVIDERS.find((m) => m.sentBySdk(headers))?.name ?? null;
}

/** The providers' public API hosts: every request to one is provider traffic. */
export const PROVIDER_HOSTS: Readonly<Record<string, ProviderName>> = Object.fromEntries(
  PROVIDERS.flatMap((m) => m.hosts.map((host) => [host, m.name])),
);

/**
 * The error body ReplayKit answers with, in the shape `provider`'s SDK parses (shared/FACTS.md
 * "Errors"), so the SDK surfaces our message instead of "unexpected response".
 */
export function providerErrorBody(provider: string, info: ProviderErrorInfo): unknown {
  const module = providerModule(provider) ?? FALLBACK;
  return module.errorBody({ ...info, message: formatMessage(info.message) });
}

/** The provider whose error shape a client expects, even for a route no module knows. */
export function errorShapeFor(url: string, headers: Record<string, string>): ProviderName {
  return (PROVIDERS.find((m) => m.expectsErrorShape?.(url, headers)) ?? FALLBACK).name;
}

/** Human-readable list of every modelled route, for unsupported-route errors. */
export function supportedRoutes(): string[] {
  return PROVIDERS.flatMap((m) => m.routes);
}

/** Every provider's default upstream base URL, by name (the listener's `--upstream` defaults). */
export function defaultUpstreams(): Record<ProviderName, string> {
  return Object.fromEntries(PROVIDERS.map((m) => [m.name, m.upstream])) as Record<
    ProviderName,
    string
  >;
}
