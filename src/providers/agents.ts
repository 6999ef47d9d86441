/**
 * Agent normalisers. Agents are not providers (Codex speaks OpenAI Responses, Claude Code speaks
 * Anthropic Messages), but each adds its own per-run noise on top: session ids in headers, a
 * per-conversation attribution block, today's date in a system reminder. Recognised from the
 * request itself, so an ordinary SDK user's payload is never rewritten by these rules.
 */

import { discoverContext, normalizeText, stringsOf } from '../agents/prompt-text.ts';
import type { ModelRequest } from '../cassette/schema.ts';
import { isBlobRef } from '../redaction/minimize.ts';
import { isRecord } from './util.ts';
import { VOLATILE } from './volatile.ts';

export type AgentName = 'codex' | 'claude-code';

export interface AgentNormalizer {
  name: AgentName;
  /** A header value to use instead of the received one, or undefined to keep it. */
  header(name: string, value: string): string | undefined;
  /** The body as compared: volatile fields and prompt text replaced, blobs by their normal hash. */
  body(body: unknown, req: RequestLike): unknown;
  /** The normaliser of this request's prompt text, for the blobs minimisation makes of it. */
  text(req: RequestLike): (text: string) => string;
}

type RequestLike = Pick<ModelRequest, 'headers' | 'body'>;

// Fields of x-codex-turn-metadata that identify this install/session/turn or this machine.
const CODEX_TURN_FIELDS = /(_id|_at|_ms|time|timestamp|cwd|path|paths|root|dir)s?$/i;
// Headers whose values name this session, wherever the agent repeats them in its text.
const SESSION_HEADERS = /^(session-id|thread-id|x-codex-window-id|x-claude-code-session-id)$/i;

function sessionIds(req: RequestLike): string[] {
  const ids: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (SESSION_HEADERS.test(name)) ids.push(value, value.replace(/:\d+$/, ''));
  }
  return ids;
}

/** The prompt-text normaliser for one request: its paths found in `texts`, its ids in headers. */
function textNormalizer(agent: AgentName, req: RequestLike, texts: Iterable<string>) {
  const ctx = discoverContext(texts, sessionIds(req));
  return (text: string) => normalizeText(agent, text, ctx);
}

/**
 * A minimised blob as compared: its hash of the normalised text (the raw one when normalising
 * changed nothing, or for blobs recorded before there was one). Size and prefix are left out:
 * a longer folder name changes both. The line hashes ride along, not enumerable (never
 * compared, never printed), for the divergence report to name the lines that changed.
 */
function comparedBlob(node: unknown): unknown {
  if (!isBlobRef(node)) return node;
  const blob = node.$rk_blob;
  const inner = { sha256: blob.normalized ?? blob.sha256 };
  if (blob.lines) Object.defineProperty(inner, 'lines', { value: blob.lines, enumerable: false });
  return { $rk_blob: inner };
}

/** Every string through `fn`, every blob as compared. */
function mapText(node: unknown, fn: (s: string) => string): unknown {
  if (typeof node === 'string') return fn(node);
  if (Array.isArray(node)) return node.map((v) => mapText(v, fn));
  if (!isRecord(node)) return node;
  if (isBlobRef(node)) return comparedBlob(node);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mapText(v, fn)]));
}

const codex: AgentNormalizer = {
  name: 'codex',
  header(name, value) {
    if (name === 'x-codex-turn-metadata') return normalizeTurnMetadata(value);
    if (/^(session-id|thread-id|x-codex-|version$)/.test(name)) return VOLATILE;
    return undefined;
  },
  body: normalizeCodexBody,
  text: (req) => textNormalizer('codex', req, stringsOf(req.body)),
};

// client_metadata keys that name this install/session/turn/window or a clock reading.
const CODEX_METADATA_KEYS = /(^|[_-])(id|ids|ms|time|at)$|window|installation/i;

/**
 * Codex (0.169) repeats its per-run ids in the body too: `prompt_cache_key` (the session id),
 * `client_metadata` (session/thread/turn/window ids, a WebSocket start time, the turn metadata),
 * a time-ordered id on every input item, and `internal_chat_message_metadata_passthrough` (turn
 * id, creation time). Its text (prompt-text.ts) names the folders, today's date and the shell.
 */
function normalizeCodexBody(body: unknown, req: RequestLike): unknown {
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
      return next;
    });
  }
  return mapText(out, textNormalizer('codex', req, stringsOf(out)));
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

const claudeCode: AgentNormalizer = {
  name: 'claude-code',
  header(name) {
    return /^x-claude-code-/.test(name) ? VOLATILE : undefined;
  },
  body(body, req) {
    if (!isRecord(body)) return body;
    const out: Record<string, unknown> = { ...body };
    if (isRecord(body.metadata) && body.metadata.user_id !== undefined) {
      out.metadata = { ...body.metadata, user_id: VOLATILE };
    }
    // The date reminder may sit in the system prompt or in a <system-reminder> of a user turn.
    return mapText(out, textNormalizer('claude-code', req, stringsOf(out)));
  },
  text: (req) => textNormalizer('claude-code', req, stringsOf(req.body)),
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
