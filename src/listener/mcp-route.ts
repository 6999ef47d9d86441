/**
 * MCP messages posted by `replaypack mcp wrap` (`POST /__replaykit/mcp/<server>?session=ID`, an
 * NDJSON body of `{"from","text"}` envelopes, read as it arrives): each becomes a step in this
 * listener's artifact, redacted like provider traffic, and a `tools/call` is tied to the model's
 * tool call that asked for it (src/mcp/correlate.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import type { StepInput } from '../cassette/schema.ts';
import { cliName } from '../cli-name.ts';
import { MCP_PREFIX } from '../mcp/channel.ts';
import type { McpRecorder } from '../mcp/steps.ts';
import type { CaptureSink } from './capture-hooks.ts';

export interface McpIngestSummary {
  server: string;
  messages: number;
  steps: number;
  /** `tools/call` requests tied to a model tool call. */
  linked: number;
}

/** Reads the envelopes and writes their steps through `write` (redaction happens there). */
export async function ingestMcp(
  lines: AsyncIterable<string>,
  recorder: McpRecorder,
  write: (step: StepInput) => void,
): Promise<McpIngestSummary> {
  const summary: McpIngestSummary = { server: recorder.server, messages: 0, steps: 0, linked: 0 };
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let envelope: { from?: unknown; text?: unknown };
    try {
      envelope = JSON.parse(line);
    } catch {
      continue;
    }
    const from = envelope.from === 'server' ? 'server' : 'client';
    if (typeof envelope.text !== 'string') continue;
    summary.messages++;
    for (const step of recorder.line(from, envelope.text)) {
      if (step.type === 'tool.request' && step.call_id) summary.linked++;
      write(step);
      summary.steps++;
    }
  }
  return summary;
}

export async function handleMcp(
  req: IncomingMessage,
  res: ServerResponse,
  capture: CaptureSink,
): Promise<void> {
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const url = new URL(req.url ?? '/', 'http://listener');
  const server = decodeURIComponent(url.pathname.slice(MCP_PREFIX.length));
  if (req.method !== 'POST' || server === '' || server.includes('/')) {
    req.resume();
    return json(404, {
      error: {
        message: `Unknown MCP route "${req.method} ${url.pathname}": "${cliName()} mcp wrap" posts to ${MCP_PREFIX}<server>.`,
      },
    });
  }
  if (!capture.mcp) {
    req.resume();
    return json(409, {
      error: {
        message: `Failed to record MCP server "${server}": this listener writes no cassette. Start it with capture on.`,
      },
    });
  }
  try {
    const lines = createInterface({ input: req, crlfDelay: Number.POSITIVE_INFINITY });
    const session = url.searchParams.get('session') ?? 'no-session';
    const summary = await capture.mcp(server, session, lines);
    json(200, { ...summary, artifact: capture.current?.() ?? null });
  } catch (error) {
    json(500, {
      error: {
        message: `Failed to record MCP server "${server}": ${error instanceof Error ? error.message : String(error)}.`,
      },
    });
  }
}
