/**
 * MCP messages → steps (docs/FORMAT.md, "MCP steps"). A request, whichever side sent it, is a
 * `tool.request`; its answer a `tool.response` with the same correlation id; a notification an
 * `agent.event`. Each carries `provider: "mcp"`, the JSON-RPC method as its endpoint and an `mcp`
 * block (server, method, id, sender), enough for replay to rebuild the message. A `tools/call`
 * the model asked for shares the correlation id and call id of the model's tool call.
 */
import type { McpMessage, StepInput } from '../cassette/schema.ts';
import { parseLine, type RpcId, type RpcMessage } from './jsonrpc.ts';

export type McpSide = McpMessage['from'];

/** The model's tool call a `tools/call` answers. */
export interface McpLink {
  correlation_id: string;
  call_id: string | null;
}

export interface McpCallQuery {
  server: string;
  tool: string;
  /** The request's `params._meta` (Claude Code puts the model's `tool_use` id there). */
  meta: unknown;
}

export interface McpRecorderOptions {
  server: string;
  /** Tells this shim's JSON-RPC ids (which restart at 0 in every run) from another's. */
  session: string;
  clock?: () => number;
  link?: (query: McpCallQuery) => McpLink | null;
}

interface Pending {
  method: string;
  name: string;
  correlation_id: string;
  call_id: string | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const other = (side: McpSide): McpSide => (side === 'client' ? 'server' : 'client');
const key = (side: McpSide, id: RpcId | null) => `${side}:${typeof id}:${String(id)}`;

/** The tool a `tools/call` names, else the method: what a reader looks for first. */
function nameOf(method: string, params: unknown): string {
  if (method === 'tools/call' && isRecord(params) && typeof params.name === 'string') {
    return params.name;
  }
  return method;
}

export class McpRecorder {
  readonly #o: McpRecorderOptions;
  readonly #pending = new Map<string, Pending>();
  #notes = 0;

  constructor(options: McpRecorderOptions) {
    this.#o = options;
  }

  get server(): string {
    return this.#o.server;
  }

  /** One line as `from` sent it (without its newline): the steps it makes, in order. */
  line(from: McpSide, text: string): StepInput[] {
    return parseLine(text).map((message) => this.message(from, message));
  }

  message(from: McpSide, message: RpcMessage): StepInput {
    const { server, session } = this.#o;
    const offset_ms = this.#o.clock?.() ?? 0;
    const base = { provider: 'mcp' as const, offset_ms };
    switch (message.kind) {
      case 'request': {
        const params = message.params;
        const name = nameOf(message.method, params);
        const link =
          message.method === 'tools/call' && from === 'client'
            ? (this.#o.link?.({
                server,
                tool: name,
                meta: isRecord(params) ? params._meta : undefined,
              }) ?? null)
            : null;
        const correlation_id =
          link?.correlation_id ?? `mcp:${server}:${session}:${from}-${message.id}`;
        const call_id = link?.call_id ?? null;
        this.#pending.set(key(from, message.id), {
          method: message.method,
          name,
          correlation_id,
          call_id,
        });
        return {
          ...base,
          type: 'tool.request',
          correlation_id,
          endpoint: message.method,
          call_id,
          name,
          kind: 'mcp',
          arguments: params === undefined ? null : params,
          mcp: { server, method: message.method, id: message.id, from },
        };
      }
      case 'response': {
        const pending = this.#pending.get(key(other(from), message.id));
        this.#pending.delete(key(other(from), message.id));
        const failed = 'error' in message;
        const toolError = isRecord(message.result) && message.result.isError === true;
        return {
          ...base,
          type: 'tool.response',
          correlation_id:
            pending?.correlation_id ?? `mcp:${server}:${session}:${other(from)}-${message.id}`,
          endpoint: pending?.method ?? 'response',
          call_id: pending?.call_id ?? null,
          name: pending?.name ?? null,
          kind: 'mcp',
          output: (failed ? message.error : message.result) ?? null,
          ...(failed || toolError ? { is_error: true } : {}),
          mcp: {
            server,
            method: pending?.method ?? null,
            id: message.id,
            from,
            ...(failed ? { error: true as const } : {}),
          },
        };
      }
      case 'notification':
        return {
          ...base,
          type: 'agent.event',
          correlation_id: `mcp:${server}:${session}:note-${++this.#notes}`,
          endpoint: message.method,
          agent: `mcp:${server}`,
          session_id: session,
          event: {
            method: message.method,
            ...('params' in message ? { params: message.params } : {}),
          },
          mcp: { server, method: message.method, id: null, from },
        };
      default:
        return {
          ...base,
          type: 'error.event',
          correlation_id: `mcp:${server}:${session}:note-${++this.#notes}`,
          endpoint: 'invalid',
          source: 'parse',
          code: 'E_MCP_PARSE',
          message: `Failed to read a message the ${from} of MCP server "${server}" sent: ${message.reason}. The line is kept in "detail"; it was passed on unchanged`,
          detail: {
            text: message.text.length > 4096 ? `${message.text.slice(0, 4096)}…` : message.text,
          },
        };
    }
  }
}
