/**
 * Provider traffic the adapters do not model (files, uploads, audio, images, batches, vector
 * stores...): recorded and replayed byte for byte as `opaque` exchanges, so replay never has to
 * let a provider request reach the network (issue 13, symptom 6).
 *
 * A request is provider traffic when (docs/CONTRACT.md, "Unknown routes and hosts"):
 * - its route is modelled (a provider module's `detect`), on any host; or
 * - its origin is a provider's: a known provider host, or any `scheme://host:port` that carried a
 *   modelled exchange (seen in this recording or replay, or recorded in the cassette); every path
 *   there belongs to the API (a base URL's path prefix such as `/v1` needs no guessing); or
 * - it was sent by a provider SDK (its `user-agent`, `anthropic-version`, `x-goog-api-client`),
 *   to whatever base URL the SDK was given.
 */
import type { MultipartBody, Provider } from '../cassette/schema.ts';
import type { ProviderName, RouteInfo } from './module.ts';
import { multipartField } from './multipart.ts';
import { PROVIDER_HOSTS, sdkOf } from './registry.ts';
import { isRecord } from './util.ts';

export const OPAQUE = 'opaque';
type Known = ProviderName;

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).hostname.toLowerCase();
  } catch {
    return null;
  }
}

export function isOpaque(route: { endpoint: string } | null | undefined): boolean {
  return route?.endpoint === OPAQUE;
}

/** The route of an opaque exchange: never streamed (stored whole), model named when the body does. */
export function opaqueRoute(
  provider: Known,
  decoded: { body?: unknown; body_multipart?: MultipartBody },
): RouteInfo {
  const fromJson = isRecord(decoded.body) ? decoded.body.model : undefined;
  const fromForm = decoded.body_multipart
    ? multipartField(decoded.body_multipart, 'model')
    : undefined;
  const model = typeof fromJson === 'string' ? fromJson : (fromForm ?? null);
  return { provider, endpoint: OPAQUE, model, stream: false, streamFormat: null };
}

/** The origins that belong to a provider, learned as modelled exchanges go by. */
export class ProviderHosts {
  readonly #learned = new Map<string, Known>();

  /** Seeds the origins a cassette recorded provider exchanges on. */
  static of(requests: Iterable<{ origin?: string; provider: Provider }>): ProviderHosts {
    const hosts = new ProviderHosts();
    for (const r of requests)
      if (r.origin && r.provider !== 'unknown' && r.provider !== 'mcp')
        hosts.learn(r.origin, r.provider);
    return hosts;
  }

  learn(origin: string | undefined, provider: Known): void {
    if (origin && !this.#learned.has(origin)) this.#learned.set(origin, provider);
  }

  /** The provider that owns `origin`, if any: replay lets nothing through to it. */
  owner(origin: string | undefined): Known | null {
    if (!origin) return null;
    const host = hostOf(origin);
    return this.#learned.get(origin) ?? (host ? (PROVIDER_HOSTS[host] ?? null) : null);
  }

  /** The provider of a request the adapters do not model, or null when it is not provider traffic. */
  providerOf(request: { origin?: string; headers: Record<string, string> }): Known | null {
    return this.owner(request.origin) ?? sdkOf(request.headers);
  }
}
