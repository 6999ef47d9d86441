/**
 * Streamable-HTTP MCP servers routed through the listener like a provider (`--upstream
 * mcp.NAME=URL`, served at `/mcp/NAME`; `--upstream mcp=URL` at `/mcp`). Live: each request is
 * forwarded as it is and its answer (JSON, or an SSE stream passed on event by event) streamed
 * back unchanged; the JSON-RPC messages of both sides become MCP steps in the listener's artifact
 * (CaptureSink.mcp, the same path as `replaypack mcp wrap`). Replay: answered from the cassette's
 * MCP steps of that server (src/mcp/replay.ts); the server is never contacted.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { createParser } from 'eventsource-parser';
import type { Step } from '../cassette/schema.ts';
import { parseLine } from '../mcp/jsonrpc.ts';
import { McpReplayer } from '../mcp/replay.ts';
import { matchMcpPath } from '../mcp/upstreams.ts';
import type { CaptureSink } from './capture-hooks.ts';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.ts';

const SESSION_HEADER = 'mcp-session-id';

export interface McpHttpOptions {
  upstreams: Record<string, string>;
  capture: CaptureSink;
  /** Replay mode: the steps to answer from (the servers named by `upstreams` or recorded). */
  replay?: { steps: Step[]; cassette: string } | null;
}

export interface McpHttp {
  /** Handles the request when its path is an MCP server's; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

/** Lines pushed as messages pass, read by CaptureSink.mcp as they come. */
class LineQueue implements AsyncIterable<string> {
  #lines: string[] = [];
  #wake: (() => void) | null = null;
  #ended = false;
  push(line: string) {
    this.#lines.push(line);
    this.#wake?.();
  }
  end() {
    this.#ended = true;
    this.#wake?.();
  }
  async *[Symbol.asyncIterator]() {
    for (;;) {
      const line = this.#lines.shift();
      if (line !== undefined) {
        yield line;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
  }
}

export function createMcpHttp(options: McpHttpOptions): McpHttp {
  const replayers = new Map<string, McpReplayer>();
  const replayFor = (server: string) => {
    let r = replayers.get(server);
    if (!r && options.replay) {
      r = new McpReplayer(options.replay.steps, { server, cassette: options.replay.cassette });
      replayers.set(server, r);
    }
    return r;
  };
  // In replay every recorded server answers, whether or not --upstream names it again.
  const known: Record<string, unknown> = { ...options.upstreams };
  for (const step of options.replay?.steps ?? []) {
    if (step.provider === 'mcp' && 'mcp' in step && step.mcp) known[step.mcp.server] = true;
  }

  const record = (server: string, session: string) => {
    if (!options.capture.mcp) return null;
    const queue = new LineQueue();
    void options.capture.mcp(server, session, queue).catch(() => {});
    return {
      send: (from: 'client' | 'server', text: string) => queue.push(JSON.stringify({ from, text })),
      end: () => queue.end(),
    };
  };

  return {
    handle(req, res) {
      const target = matchMcpPath(req.url ?? '/', known);
      if (!target) return false;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (options.replay) replayAnswer(target.server, req, res, body);
        else forward(target.server, target.rest, req, res, body);
      });
      return true;
    },
  };

  function replayAnswer(server: string, req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const replayer = replayFor(server)!;
    const session = header(req, SESSION_HEADER) ?? randomUUID();
    if (req.method === 'GET') {
      // No server-initiated stream in replay: the spec lets a server refuse it this way.
      res.writeHead(405, { allow: 'POST, DELETE' }).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(200).end();
      return;
    }
    const rec = record(server, session);
    const text = body.toString('utf8');
    rec?.send('client', text);
    const lines = replayer.receive(text);
    for (const line of lines) rec?.send('server', line);
    rec?.end();
    const headers: Record<string, string> = { [SESSION_HEADER]: session };
    if (lines.length === 0) {
      res.writeHead(202, headers).end();
    } else if (lines.length > 1 && /text\/event-stream/.test(header(req, 'accept') ?? '')) {
      res.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
      res.end(lines.map((l) => `event: message\ndata: ${l}\n\n`).join(''));
    } else {
      // JSON answers one request: the last line is its response.
      res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(lines.at(-1));
    }
  }

  function forward(
    server: string,
    rest: string,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ) {
    const url = new URL(options.upstreams[server]!);
    const [restPath = '', restQuery] = rest.split(/\?(.*)/s, 2);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${restPath}`;
    if (restQuery !== undefined) url.search = restQuery;
    const client = url.protocol === 'https:' ? https : http;
    let rec: ReturnType<typeof record> = null;
    const upstream = client.request(url, {
      method: req.method,
      headers: upstreamRequestHeaders(req.headers, url.host),
      agent: false,
    });
    upstream.on('response', (up) => {
      const session = header(req, SESSION_HEADER) ?? headerOf(up, SESSION_HEADER) ?? 'no-session';
      rec = record(server, session);
      // One POST body is one JSON-RPC message (or batch), however it is laid out.
      if (body.length > 0) rec?.send('client', body.toString('utf8'));
      res.writeHead(up.statusCode ?? 502, up.statusMessage, clientResponseHeaders(up.rawHeaders));
      res.flushHeaders();
      const sse = /text\/event-stream/.test(headerOf(up, 'content-type') ?? '');
      const parser = sse
        ? createParser({ onEvent: (event) => rec?.send('server', event.data) })
        : null;
      const decoder = new TextDecoder();
      let json = '';
      up.on('data', (chunk: Buffer) => {
        res.write(chunk);
        const text = decoder.decode(chunk, { stream: true });
        if (parser) parser.feed(text);
        else json += text;
      });
      up.on('end', () => {
        res.end();
        if (
          !parser &&
          json.trim() !== '' &&
          parseLine(json.trim()).every((m) => m.kind !== 'invalid')
        ) {
          rec?.send('server', json.trim());
        }
        rec?.end();
      });
      up.on('error', () => {
        res.destroy();
        rec?.end();
      });
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: null,
            error: {
              code: -32000,
              message: `[replaykit] Failed to reach MCP server "${server}" at ${options.upstreams[server]}: ${error.message}. Check --upstream mcp.${server}=URL and that the server runs`,
            },
          }),
        );
      } else res.destroy();
      rec?.end();
    });
    // The client went away (a request's own 'close' only means its body was read).
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function headerOf(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
