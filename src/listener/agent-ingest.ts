/**
 * Agent event streams posted to a running listener (`POST /__replaykit/ingest/codex`,
 * `/__replaykit/ingest/claude-code`): each line becomes steps in the listener's own cassette,
 * redacted like captured traffic and correlated with the model exchanges of the same session
 * that this listener captured (docs/AGENTS.md). Lines are read as the body arrives.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import type { ModelStepIndex } from '../agents/correlate.ts';
import { type IngestSummary, ingestLines } from '../agents/ingest.ts';
import { AGENT_NAMES, type AgentName } from '../agents/types.ts';
import type { StepInput } from '../cassette/schema.ts';
import { cliName } from '../cli-name.ts';
import type { StepSink } from '../pipeline/capture.ts';
import type { Redactor } from '../redaction/index.ts';
import type { CaptureSink } from './capture-hooks.ts';

export const INGEST_PREFIX = '/__replaykit/ingest/';

/** A sink that shows every step it writes to `index` (the model side of the correlation). */
export function indexedSink<S extends StepSink>(sink: S, index: Pick<ModelStepIndex, 'add'>): S {
  return {
    ...sink,
    append(step) {
      const written = sink.append(step);
      index.add(written ?? step);
      return written;
    },
    closeStream(correlationId, end) {
      const response = sink.closeStream(correlationId, end);
      if (response) index.add(response);
      return response;
    },
  };
}

export interface AgentIngestTarget {
  index: ModelStepIndex;
  redactor: Redactor;
  clock: () => number;
  /** Writes one step; `finish` releases its correlation id (rotation may seal the file after). */
  write(step: StepInput): void;
}

export function ingestInto(
  target: AgentIngestTarget,
  agent: AgentName,
  lines: AsyncIterable<string>,
): Promise<IngestSummary> {
  return ingestLines(lines, {
    agent,
    index: target.index,
    clock: target.clock,
    emit: (step) => target.write(target.redactor.step(step)),
  });
}

/** Handles `POST /__replaykit/ingest/<agent>`; answers JSON. */
export async function handleIngest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  capture: CaptureSink,
): Promise<void> {
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const agent = path.slice(INGEST_PREFIX.length) as AgentName;
  if (req.method !== 'POST' || !AGENT_NAMES.includes(agent)) {
    req.resume();
    return json(404, {
      error: {
        message: `Unknown ingest route "${req.method} ${path}": POST the event stream to ${AGENT_NAMES.map((a) => INGEST_PREFIX + a).join(' or ')}.`,
      },
    });
  }
  if (!capture.ingest) {
    req.resume();
    return json(409, {
      error: {
        message: `Failed to ingest the ${agent} events: this listener writes no cassette. Start it with capture on, or use "${cliName()} ingest ${agent} FILE --out FILE.rpk".`,
      },
    });
  }
  try {
    const lines = createInterface({ input: req, crlfDelay: Number.POSITIVE_INFINITY });
    const summary = await capture.ingest(agent, lines);
    json(200, { ...summary, artifact: capture.current?.() ?? null });
  } catch (error) {
    // Ingestion itself never throws on bad lines; this is the body stream failing.
    json(500, {
      error: {
        message: `Failed to ingest the ${agent} events: ${error instanceof Error ? error.message : String(error)}.`,
      },
    });
  }
}
