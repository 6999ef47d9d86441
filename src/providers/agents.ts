/**
 * Agent normalisers. Agents are not providers (Codex speaks OpenAI Responses, Claude Code speaks
 * Anthropic Messages), but each adds its own per-run noise on top: session ids in headers, a
 * per-conversation attribution block, today's date in a system reminder. Recognised from the
 * request itself, so an ordinary SDK user's payload is never rewritten by these rules.
 */
import type { ModelRequest } from '../cassette/schema.ts';
import { isRecord } from './util.ts';
import { VOLATILE } from './volatile.ts';

export type AgentName = 'codex' | 'claude-code';

export interface AgentNormalizer {
  name: AgentName;
  /** A header value to use instead of the received one, or undefined to keep it. */
  header(name: string, value: string): string | undefined;
  body(body: unknown): unknown;
}

type RequestLike = Pick<ModelRequest, 'headers' | 'body'>;

// Fields of x-codex-turn-metadata that identify this install/session/turn or this machine.
const CODEX_TURN_FIELDS = /(_id|_at|_ms|time|timestamp|cwd|path|paths|root|dir)s?$/i;

const codex: AgentNormalizer = {
  name: 'codex',
  header(name, value) {
    if (name === 'x-codex-turn-metadata') return normalizeTurnMetadata(value);
    if (/^(session-id|thread-id|x-codex-|version$)/.test(name)) return VOLATILE;
    return undefined;
  },
  body: normalizeCodexBody,
};

// client_metadata keys that name this install/session/turn/window or a clock reading.
const CODEX_METADATA_KEYS = /(^|[_-])(id|ids|ms|time|at)$|window|installation/i;
// Tags of Codex's <environment_context> that differ between machines, dirs and days.
const CODEX_ENV_TAGS = /<(cwd|root|current_date|timezone)>[^<]*<\/\1>/g;
// Tool outputs report how long the tool ran ("Wall time 0.3 seconds"): never the same twice.
const CODEX_WALL_TIME = /(Wall time:? )\d+(?:\.\d+)?( seconds?)/g;

/**
 * Codex (0.169) repeats its per-run ids in the body too: `prompt_cache_key` (the session id),
 * `client_metadata` (session/thread/turn/window ids, a WebSocket start time, the turn metadata),
 * a time-ordered id on every input item, and `internal_chat_message_metadata_passthrough` (turn
 * id, creation time). Its environment context names the working directory and today's date, and
 * tool outputs carry their run time.
 */
function normalizeCodexBody(body: unknown): unknown {
  if (!isRecord(body)) return body;
  const out: Record<string, unknown> = { ...body };
  if (typeof body.prompt_cache_key === 'string') out.prompt_cache_key = VOLATILE;
  if (isRecord(body.client_metadata)) {
    out.client_metadata = Object.fromEntries(
      Object.entries(body.client_metadata).map(([k, v]) => [
        k,
        k === 'x-codex-turn-metadata' && typeof v === 'string'
          ? normalizeTurnMetadata(v)
          : CODEX_METADATA_KEYS.test(k)
            ? VOLATILE
            : v,
      ]),
    );
  }
  if (Array.isArray(body.input)) {
    out.input = body.input.map((item) => {
      if (!isRecord(item)) return item;
      const next: Record<string, unknown> = { ...item };
      if (typeof item.id === 'string') next.id = VOLATILE;
      if (item.internal_chat_message_metadata_passthrough !== undefined) {
        next.internal_chat_message_metadata_passthrough = VOLATILE;
      }
      return mapStrings(next, (s) =>
        s.includes('<environment_context>')
          ? s.replace(CODEX_ENV_TAGS, (_m, tag: string) => `<${tag}>${VOLATILE}</${tag}>`)
          : s.replace(CODEX_WALL_TIME, `$1${VOLATILE}$2`),
      );
    });
  }
  return out;
}

function normalizeTurnMetadata(value: string): string {
  try {
    const parsed: unknown = JSON.parse(value);
    const walk = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(walk);
      if (!isRecord(node)) return node;
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, CODEX_TURN_FIELDS.test(k) ? VOLATILE : walk(v)]),
      );
    };
    return JSON.stringify(walk(parsed));
  } catch {
    return VOLATILE;
  }
}

const DATE_REMINDER = /(Today's date is )\d{4}[-/]\d{2}[-/]\d{2}/g;
const ATTRIBUTION = /^x-anthropic-billing-header:[^\n]*/gm;

function mapStrings(node: unknown, fn: (s: string) => string): unknown {
  if (typeof node === 'string') return fn(node);
  if (Array.isArray(node)) return node.map((v) => mapStrings(v, fn));
  if (!isRecord(node)) return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mapStrings(v, fn)]));
}

const claudeCode: AgentNormalizer = {
  name: 'claude-code',
  header(name) {
    return /^x-claude-code-/.test(name) ? VOLATILE : undefined;
  },
  body(body) {
    if (!isRecord(body)) return body;
    const out: Record<string, unknown> = { ...body };
    if (body.system !== undefined) {
      out.system = mapStrings(body.system, (s) => s.replace(ATTRIBUTION, VOLATILE));
    }
    if (isRecord(body.metadata) && body.metadata.user_id !== undefined) {
      out.metadata = { ...body.metadata, user_id: VOLATILE };
    }
    // The date reminder may sit in the system prompt or in a <system-reminder> of a user turn.
    return mapStrings(out, (s) => s.replace(DATE_REMINDER, `$1${VOLATILE}`));
  },
};

function firstSystemText(body: unknown): string {
  if (!isRecord(body)) return '';
  if (typeof body.system === 'string') return body.system;
  const first = Array.isArray(body.system) ? body.system[0] : undefined;
  return isRecord(first) && typeof first.text === 'string' ? first.text : '';
}

export function detectAgent(req: RequestLike): AgentNormalizer | null {
  // Runs for every request replay matches (recorded and live): one pass over the header names,
  // nothing allocated (issue 15's profile had the mapped copy of the names at 2 % of replay).
  let ua = '';
  let originator = '';
  let codexHeader = false;
  let claudeHeader = false;
  for (const name in req.headers) {
    const lower = name.toLowerCase();
    if (lower === 'user-agent') ua = req.headers[name]!.toLowerCase();
    else if (lower === 'originator') originator = req.headers[name]!;
    else if (lower.startsWith('x-codex-')) codexHeader = true;
    else if (lower.startsWith('x-claude-code-')) claudeHeader = true;
  }
  if (originator.startsWith('codex') || ua.includes('codex') || codexHeader) return codex;
  if (
    ua.includes('claude-cli') ||
    ua.includes('claude-code') ||
    claudeHeader ||
    firstSystemText(req.body).startsWith('x-anthropic-billing-header')
  ) {
    return claudeCode;
  }
  return null;
}
