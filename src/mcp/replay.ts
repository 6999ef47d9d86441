/**
 * The MCP server of a recording, played back: `replaypack mcp wrap --mode replay` answers the
 * agent from these steps and never starts the real server. Each client request is matched to an
 * unused recorded request of the same method with the same params (`_meta` left out: it holds
 * per-run ids); the recorded answer goes back under the live id, after the messages the server
 * sent on its own in the recording right after that request (notifications, `roots/list`). A
 * request that matches nothing gets a JSON-RPC error naming the first difference with the
 * closest recorded one, so the agent (and its log) shows what diverged.
 */
import type { Step } from '../cassette/schema.ts';
import { formatMessage } from '../errors.ts';
import { createRedactor, type Redactor } from '../redaction/index.ts';
import { distance, firstDifference, show } from '../replay/diff.ts';
import { encodeMessage, parseLine, type RpcId, type RpcMessage } from './jsonrpc.ts';

const ANSWER = Symbol('answer');

/** JSON-RPC error code of a request the recording cannot answer (server-defined range). */
export const MCP_DIVERGENCE_CODE = -32001;

type Sendable = Exclude<RpcMessage, { kind: 'invalid' }>;

interface RecordedRequest {
  method: string;
  params: unknown;
  response: Extract<Sendable, { kind: 'response' }> | null;
  /**
   * Messages the server sent on its own after this one, before the client's next message;
   * `ANSWER` marks where the answer came among them, when it came before the next message.
   */
  follow: (Sendable | typeof ANSWER)[];
  used: boolean;
}

interface RecordedNote {
  method: string;
  follow: (Sendable | typeof ANSWER)[];
  used: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Params as matching compares them: `_meta` carries per-run ids (session, call, progress). */
function comparable(params: unknown): unknown {
  if (!isRecord(params) || !('_meta' in params)) return params ?? null;
  const { _meta: _m, ...rest } = params;
  return rest;
}

const sendable = (list: (Sendable | typeof ANSWER)[]) =>
  list.filter((m): m is Sendable => m !== ANSWER);

/** Rebuilds the message a recorded MCP step was made from. */
export function messageOf(step: Step): { from: 'client' | 'server'; message: Sendable } | null {
  if (step.provider !== 'mcp') return null;
  const mcp = 'mcp' in step ? step.mcp : undefined;
  if (!mcp) return null;
  if (step.type === 'tool.request' && mcp.method !== null && mcp.id !== null) {
    return {
      from: mcp.from,
      message: {
        kind: 'request',
        id: mcp.id,
        method: mcp.method,
        ...(step.arguments === null ? {} : { params: step.arguments }),
      },
    };
  }
  if (step.type === 'tool.response') {
    return {
      from: mcp.from,
      message: mcp.error
        ? { kind: 'response', id: mcp.id, error: step.output }
        : { kind: 'response', id: mcp.id, result: step.output },
    };
  }
  if (step.type === 'agent.event' && mcp.method !== null) {
    const event = isRecord(step.event) ? step.event : {};
    return {
      from: mcp.from,
      message: {
        kind: 'notification',
        method: mcp.method,
        ...('params' in event ? { params: event.params } : {}),
      },
    };
  }
  return null;
}

export interface McpReplayerOptions {
  server: string;
  /** Where the steps came from, for messages. */
  cassette: string;
  /** Applied to live params before comparing (recorded ones were redacted when written). */
  redactor?: Redactor;
}

export class McpReplayer {
  readonly #o: McpReplayerOptions;
  readonly #redactor: Redactor;
  readonly #requests: RecordedRequest[] = [];
  readonly #notes: RecordedNote[] = [];
  /** What the server sent before the client said anything. */
  readonly preamble: Sendable[] = [];

  /** Recorded messages of this server (0: none, a wrong `--name` or cassette). */
  readonly size: number;

  constructor(steps: Iterable<Step>, options: McpReplayerOptions) {
    this.#o = options;
    this.#redactor = options.redactor ?? createRedactor();
    let follow: (Sendable | typeof ANSWER)[] = this.preamble;
    const open = new Map<string, RecordedRequest>();
    let size = 0;
    for (const step of steps) {
      if (step.provider !== 'mcp' || !('mcp' in step) || step.mcp?.server !== options.server) {
        continue;
      }
      const found = messageOf(step);
      if (!found) continue;
      size++;
      const { from, message } = found;
      if (from === 'client') {
        if (message.kind === 'request') {
          const recorded = {
            method: message.method,
            params: comparable(message.params),
            response: null,
            follow: [],
            used: false,
          };
          this.#requests.push(recorded);
          open.set(`${typeof message.id}:${message.id}`, recorded);
          follow = recorded.follow;
        } else if (message.kind === 'notification') {
          const note = { method: message.method, follow: [], used: false };
          this.#notes.push(note);
          follow = note.follow;
        }
        // A client's answer to a server request: the live client answers it again; nothing to send.
        continue;
      }
      if (message.kind === 'response') {
        const asked = open.get(`${typeof message.id}:${message.id}`);
        open.delete(`${typeof message.id}:${message.id}`);
        if (asked) {
          asked.response = message;
          if (follow === asked.follow) follow.push(ANSWER);
        }
        continue;
      }
      follow.push(message);
    }
    this.size = size;
  }

  /** One line from the client: the lines to answer with (none for notifications and answers). */
  receive(line: string): string[] {
    const out: string[] = [];
    for (const message of parseLine(line)) {
      if (message.kind === 'invalid') {
        out.push(
          encodeMessage({
            kind: 'response',
            id: null,
            error: { code: -32700, message: `Parse error: ${message.reason}` },
          }),
        );
      } else if (message.kind === 'request') {
        out.push(...this.#request(message.id, message.method, message.params));
      } else if (message.kind === 'notification') {
        const note =
          this.#notes.find((n) => !n.used && n.method === message.method) ??
          this.#notes.findLast((n) => n.method === message.method);
        if (note && !note.used) {
          note.used = true;
          out.push(...sendable(note.follow).map(encodeMessage));
        }
      }
    }
    return out;
  }

  #request(id: RpcId, method: string, params: unknown): string[] {
    const live = comparable(this.#redactor.value(params ?? null));
    const same = (r: RecordedRequest) =>
      r.method === method && firstDifference(r.params, live) === null;
    let match = this.#requests.find((r) => !r.used && same(r));
    const fresh = match !== undefined;
    // Asked again more often than recorded (a second tools/list): the recorded answer still holds.
    match ??= this.#requests.findLast(same);
    if (!match)
      return [encodeMessage({ kind: 'response', id, error: this.#divergence(method, live) })];
    match.used = true;
    const follow: (Sendable | typeof ANSWER)[] = fresh ? match.follow : [ANSWER];
    if (!match.response) {
      return [
        ...sendable(follow).map(encodeMessage),
        encodeMessage({
          kind: 'response',
          id,
          error: {
            code: MCP_DIVERGENCE_CODE,
            message: formatMessage(
              `Failed to replay MCP request "${method}" to server "${this.#o.server}": the recording in "${this.#o.cassette}" holds the request but not its answer (the server never answered it). Re-record with the server running`,
            ),
          },
        }),
      ];
    }
    const answer = encodeMessage({ ...match.response, id });
    const out = follow.map((m) => (m === ANSWER ? answer : encodeMessage(m)));
    return follow.includes(ANSWER) ? out : [...out, answer];
  }

  #divergence(method: string, live: unknown) {
    const candidates = this.#requests.filter((r) => r.method === method);
    const closest = candidates.reduce<RecordedRequest | undefined>(
      (best, r) => (best && distance(best.params, live) <= distance(r.params, live) ? best : r),
      undefined,
    );
    const where = `to server "${this.#o.server}" from "${this.#o.cassette}"`;
    let reason: string;
    let data: Record<string, unknown> = {
      code: 'E_REPLAY_DIVERGENCE',
      method,
      server: this.#o.server,
    };
    if (!closest) {
      const methods = [...new Set(this.#requests.map((r) => r.method))];
      reason = `no "${method}" request was recorded (recorded: ${methods.join(', ') || 'none'})`;
    } else {
      const d = firstDifference(closest.params, live);
      const path = d
        ? `params${d.path === '(root)' ? '' : d.path.startsWith('[') ? d.path : `.${d.path}`}`
        : 'params';
      reason = `First difference: ${path}: expected ${show(d?.expected)} but got ${show(d?.actual)}`;
      data = { ...data, path, expected: d?.expected, actual: d?.actual };
    }
    return {
      code: MCP_DIVERGENCE_CODE,
      message: formatMessage(
        `Failed to replay MCP request "${method}" ${where}: the recording holds no request like it. ${reason}. Re-record the session with the server running`,
      ),
      data,
    };
  }
}
