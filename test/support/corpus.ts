/**
 * The real-stream corpus (test/fixtures/corpus, sources in its SOURCES.md): recorded streams as
 * ordered event data, and recorded non-streamed response bodies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
