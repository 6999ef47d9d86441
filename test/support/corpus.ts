/**
 * The real-stream corpus (test/fixtures/corpus, sources in its SOURCES.md): recorded streams as
 * ordered event data, and recorded non-streamed response bodies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StreamEvent } from '../../src/cassette/schema.ts';

export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/corpus/', import.meta.url));

export interface CorpusStream {
  /** `<package>/<name>.jsonl`, as in SOURCES.md. */
  file: string;
  provider: 'openai' | 'anthropic' | 'gemini';
  events: StreamEvent[];
}

export interface CorpusResponse {
  file: string;
  provider: 'openai' | 'anthropic' | 'gemini';
  body: unknown;
}

const providerOf = (pkg: string) =>
  pkg === 'anthropic' ? 'anthropic' : pkg === 'google' ? 'gemini' : 'openai';

function files(suffix: string): { file: string; pkg: string; text: string }[] {
  return readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(CORPUS_DIR, d.name))
        .filter((f) => f.endsWith(suffix))
        .sort()
        .map((f) => ({
          file: `${d.name}/${f}`,
          pkg: d.name,
          text: readFileSync(join(CORPUS_DIR, d.name, f), 'utf8'),
        })),
    );
}

export function loadStreams(): CorpusStream[] {
  return files('.jsonl').map(({ file, pkg, text }) => ({
    file,
    provider: providerOf(pkg),
    // Event data as the SSE parser hands it on: JSON where it parses, the raw text otherwise.
    events: text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((line, i) => {
        let data: unknown = line;
        try {
          data = JSON.parse(line);
        } catch {}
        return { offset_ms: i, data };
      }),
  }));
}

export function loadResponses(): CorpusResponse[] {
  return files('.response.json').map(({ file, pkg, text }) => ({
    file,
    provider: providerOf(pkg),
    body: JSON.parse(text),
  }));
}

export interface CorpusRequest {
  file: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

interface Recording {
  interactions?: {
    request: {
      method: string;
      url: string;
      headers?: Record<string, string>;
      bodySegments?: unknown[];
    };
    response: { headers?: Record<string, string>; bodySegments?: unknown[] };
  }[];
}

/**
 * js-genai's recorded exchanges (`<name>.exchange.json`): requests with their real headers and
 * URLs, responses as body segments (one per SSE event when streamed).
 */
export function loadExchanges(): {
  requests: CorpusRequest[];
  streams: CorpusStream[];
  responses: CorpusResponse[];
} {
  const out = {
    requests: [] as CorpusRequest[],
    streams: [] as CorpusStream[],
    responses: [] as CorpusResponse[],
  };
  for (const { file, text } of files('.exchange.json')) {
    const rec = JSON.parse(text) as Recording;
    (rec.interactions ?? []).forEach(({ request, response }, i) => {
      const name = `${file}#${i}`;
      out.requests.push({
        file: name,
        method: request.method,
        url: request.url,
        headers: request.headers ?? {},
        body: request.bodySegments ?? [],
      });
      const segments = response.bodySegments ?? [];
      const streamed = /event-stream/.test(response.headers?.['Content-Type'] ?? '');
      if (streamed) {
        const events = segments.map((data, n) => ({ offset_ms: n, data }));
        out.streams.push({ file: name, provider: 'gemini', events });
      } else out.responses.push({ file: name, provider: 'gemini', body: segments });
    });
  }
  return out;
}

/** Which client a corpus stream belongs to. */
export type Kind = 'responses' | 'chat' | 'anthropic' | 'gemini';

export function kindOf(provider: string, datas: unknown[]): Kind {
  if (provider === 'anthropic') return 'anthropic';
  if (provider === 'gemini') return 'gemini';
  const typed = datas.some(
    (d) =>
      typeof d === 'object' &&
      d !== null &&
      String((d as { type?: unknown }).type ?? '').startsWith('response.'),
  );
  return typed ? 'responses' : 'chat';
}

/** The stream as a provider sends it (Gemini with CRLF, named events for Responses and Anthropic): the recorded data lines as they are, SSE-framed. */
export function corpusBytes(file: string, kind: Kind): string {
  const lines = readFileSync(path.join(CORPUS_DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const eol = kind === 'gemini' ? '\r\n' : '\n';
  return lines
    .map((line) => {
      let type: unknown;
      try {
        type = (JSON.parse(line) as { type?: unknown }).type;
      } catch {}
      const named = (kind === 'responses' || kind === 'anthropic') && typeof type === 'string';
      return `${named ? `event: ${type}${eol}` : ''}data: ${line}${eol}${eol}`;
    })
    .join('');
}
