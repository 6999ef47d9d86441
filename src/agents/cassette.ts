/**
 * `replaypack ingest`: an agent's event stream into a new `.rpk` (capture `ingest`), through the
 * same redactor and append-only writer as every other front door. With `withCassette`, the model
 * steps captured for the same run are copied in first and the agent's steps are correlated with
 * them, so one file holds both views of the session.
 */
import { randomUUID } from 'node:crypto';
import { iterateCassette } from '../cassette/reader.ts';
import { createCassetteWriter } from '../cassette/writer.ts';
import { normalizeStep } from '../pipeline/canonical.ts';
import { createRedactor, type RedactorOptions } from '../redaction/index.ts';
import { VERSION } from '../version.ts';
import { ModelStepIndex } from './correlate.ts';
import { type IngestSummary, ingestLines } from './ingest.ts';
import type { AgentName } from './types.ts';

export interface IngestCassetteOptions {
  agent: AgentName;
  lines: AsyncIterable<string> | Iterable<string>;
  out: string;
  /** A cassette holding the model steps of the same run (from the listener or `record()`). */
  withCassette?: string;
  /** Overwrite `out` if it exists. */
  replace?: boolean;
  redact?: RedactorOptions;
  /** Where the lines came from, kept in the header's meta (a file name, or "stdin"). */
  source?: string;
}

export interface IngestCassetteResult extends IngestSummary {
  file: string;
  /** Steps copied from `withCassette`. */
  copied: number;
}

export async function ingestToCassette(
  options: IngestCassetteOptions,
): Promise<IngestCassetteResult> {
  const redactor = createRedactor(options.redact);
  const index = new ModelStepIndex();
  // Read the captured run before creating the output, so a bad --with leaves no half-written file.
  const copied = [];
  if (options.withCassette) {
    for await (const entry of iterateCassette(options.withCassette, { normalize: normalizeStep })) {
      if (entry.kind !== 'step') continue;
      const { index: _i, ...step } = entry.step;
      copied.push(step);
      index.add(entry.step);
    }
  }
  const writer = createCassetteWriter(options.out, {
    header: {
      run_id: randomUUID(),
      capture: 'ingest',
      response_source: 'live',
      tool: { name: 'replaykit', version: VERSION },
      redaction: redactor.policy,
      meta: {
        agent: options.agent,
        source: options.source ?? null,
        with: options.withCassette ?? null,
      },
    },
    normalize: normalizeStep,
    replace: options.replace ?? false,
  });
  try {
    // Captured steps were redacted when they were written; they go in unchanged.
    for (const step of copied) writer.append(step);
    const summary = await ingestLines(options.lines, {
      agent: options.agent,
      index,
      emit: (step) => writer.append(redactor.step(step)),
    });
    writer.seal();
    return { ...summary, file: writer.file, copied: copied.length };
  } catch (error) {
    writer.close();
    throw error;
  }
}
