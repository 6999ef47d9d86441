/** Small helpers shared by the provider modules (private to providers/). */
import type { ProviderName, RouteInfo } from './module.ts';

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Header lookup that tolerates callers that did not lower-case names. */
export function headerOf(headers: Record<string, string>, name: string): string | undefined {
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** Tool arguments are stored parsed when they parse (the common case), else as the raw string. */
export function parseArguments(raw: string): unknown {
  if (raw.trim() === '') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Parse a stream frame's data: JSON where it parses, else the raw text (`[DONE]`). */
export function parseData(text: string): { data: unknown; json: boolean } {
  // Once per Chat Completions stream: a thrown SyntaxError costs more than the rest of the frame.
  if (text === '[DONE]') return { data: text, json: false };
  try {
    return { data: JSON.parse(text), json: true };
  } catch {
    return { data: text, json: false };
  }
}

/** UTF-8 length of a JS string, computed without allocating. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** A JSON-bodied route: model from `body.model`, streamed as SSE when `body.stream` is true. */
export function jsonRoute(
  provider: ProviderName,
  endpoint: string,
  body: unknown,
  streams: boolean,
): RouteInfo {
  const fields = isRecord(body) ? body : {};
  const stream = streams && fields.stream === true;
  const model = typeof fields.model === 'string' ? fields.model : null;
  return { provider, endpoint, model, stream, streamFormat: stream ? 'sse' : null };
}

/**
 * The path without its `/v1` prefix (OpenAI and Anthropic clients may be configured with or
 * without it); null under Gemini's `/v1beta/` and `/v1alpha/`, which are never theirs.
 */
export function v1Rest(path: string): string | null {
  if (path.startsWith('/v1beta/') || path.startsWith('/v1alpha/')) return null;
  return path.startsWith('/v1/') ? path.slice(3) : path;
}
