/**
 * JSON-RPC 2.0 as MCP uses it: requests (method and id), notifications (method, no id) and
 * responses (id with result or error). A line may also hold a batch (an array, allowed before the
 * 2025-06 revision); anything else is kept as `invalid` so the recording says what was seen.
 */
export type RpcId = string | number;

export type RpcMessage =
  | { kind: 'request'; id: RpcId; method: string; params?: unknown }
  | { kind: 'notification'; method: string; params?: unknown }
  | { kind: 'response'; id: RpcId | null; result?: unknown; error?: unknown }
  | { kind: 'invalid'; text: string; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isId = (v: unknown): v is RpcId => typeof v === 'string' || typeof v === 'number';

export function parseLine(line: string): RpcMessage[] {
  if (line.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return [{ kind: 'invalid', text: line, reason: (error as Error).message }];
  }
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => classify(item, line));
}

function classify(value: unknown, line: string): RpcMessage {
  if (!isRecord(value)) return { kind: 'invalid', text: line, reason: 'not a JSON object' };
  const params = 'params' in value ? { params: value.params } : {};
  if (typeof value.method === 'string') {
    return isId(value.id)
      ? { kind: 'request', id: value.id, method: value.method, ...params }
      : { kind: 'notification', method: value.method, ...params };
  }
  if ('result' in value || 'error' in value) {
    return {
      kind: 'response',
      id: isId(value.id) ? value.id : null,
      ...('result' in value ? { result: value.result } : {}),
      ...('error' in value ? { error: value.error } : {}),
    };
  }
  return {
    kind: 'invalid',
    text: line,
    reason: 'neither a request, a notification nor a response',
  };
}

/** One message as a line of the stdio transport (without its newline). */
export function encodeMessage(message: Exclude<RpcMessage, { kind: 'invalid' }>): string {
  switch (message.kind) {
    case 'request':
      return JSON.stringify({
        jsonrpc: '2.0',
        id: message.id,
        method: message.method,
        ...('params' in message ? { params: message.params } : {}),
      });
    case 'notification':
      return JSON.stringify({
        jsonrpc: '2.0',
        method: message.method,
        ...('params' in message ? { params: message.params } : {}),
      });
    default:
      return JSON.stringify({
        jsonrpc: '2.0',
        id: message.id,
        ...('error' in message ? { error: message.error } : { result: message.result }),
      });
  }
}
