/**
 * Minimisation: large instruction, system and tool-definition blobs are stored as a hash, a size
 * and a short prefix. Pure and deterministic: recorded and live requests are minimised the same
 * way before matching, so two requests with the same 60 KB of instructions still match on the
 * hash. Apply it to an already-redacted body (as `Redactor.step` does), so the prefix holds no
 * secret.
 */
import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import { providerModule } from '../providers/registry.ts';

export const BLOB_THRESHOLD = 2048;
export const BLOB_PREFIX_CHARS = 80;

export interface BlobRef {
  $rk_blob: {
    sha256: string;
    size: number;
    prefix: string;
    /**
     * Agent prompts (issue 17): the hash of the text with its volatile parts (dates, folders,
     * ids) normalised, when that differs from `sha256`. Matching and the canonical hash use it.
     */
    normalized?: string;
    /**
     * Per-line hashes of the normalised text, by the text's place in the blob's value (`""` for
     * a string blob, `[2].text` in a list of blocks): 8 characters a line. Enough to name the
     * lines that changed, without the text.
     */
    lines?: Record<string, string>;
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isBlobRef(v: unknown): v is BlobRef {
  return isObj(v) && isObj(v.$rk_blob) && typeof v.$rk_blob.sha256 === 'string';
}

/** A prompt-text normaliser (an agent's: src/agents/prompt-text.ts). */
export type TextNormalizer = (text: string) => string;

const textOf = (value: unknown) => (typeof value === 'string' ? value : stableStringify(value));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** 8 characters (48 bits) of a line's hash: collisions within one prompt are not a concern. */
export const lineHash = (line: string) =>
  createHash('sha256').update(line).digest('base64url').slice(0, 8);

/** Every string leaf of a value with its place (`[2].text`), text as given. */
export function* textLeaves(value: unknown, at = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [at, value];
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* textLeaves(value[i], `${at}[${i}]`);
  } else if (isObj(value)) {
    for (const key of Object.keys(value).sort()) {
      yield* textLeaves(
        value[key],
        /^[A-Za-z_$][\w$]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`,
      );
    }
  }
}

export function mapLeaves(value: unknown, fn: TextNormalizer): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapLeaves(v, fn));
  if (!isObj(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapLeaves(v, fn)]));
}

/** A text worth its line hashes: prose, not a schema's `"type": "object"`. */
export const hasLines = (text: string) => text.length >= 40 || text.includes('\n');

/**
 * Line hashes of the texts in a (normalised) value, by place. Tool definitions keep only their
 * multi-line texts: their one-line descriptions were most of a blob's size (5 of 7 KB of a
 * minimised Claude Code request).
 */
export function lineHashes(value: unknown, oneLine = true): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [at, text] of textLeaves(value)) {
    if (oneLine ? hasLines(text) : text.includes('\n')) {
      out[at] = text.split('\n').map(lineHash).join('');
    }
  }
  return out;
}

/**
 * Strings hash as themselves; anything else as its key-sorted JSON. With an agent's text
 * normaliser, the blob also keeps the hash of the normalised text and its line hashes.
 */
export function toBlob(
  value: unknown,
  normalizeText?: TextNormalizer,
  options: { oneLine?: boolean } = {},
): BlobRef {
  const text = textOf(value);
  const blob: BlobRef['$rk_blob'] = {
    sha256: sha256(text),
    size: Buffer.byteLength(text),
    prefix: text.slice(0, BLOB_PREFIX_CHARS),
  };
  if (normalizeText) {
    const normal = mapLeaves(value, normalizeText);
    const normalText = textOf(normal);
    if (normalText !== text) blob.normalized = sha256(normalText);
    blob.lines = lineHashes(normal, options.oneLine);
  }
  return { $rk_blob: blob };
}

function big(value: unknown, threshold: number, normalizeText?: TextNormalizer): boolean {
  if (value === undefined || value === null || isBlobRef(value)) return false;
  // An agent's prompt is measured normalised: a longer folder name must not tip it over.
  const text = textOf(normalizeText ? mapLeaves(value, normalizeText) : value);
  return Buffer.byteLength(text) > threshold;
}

const TOOL_FIELDS = new Set(['tools', 'functions']);
/** Message roles whose content is instructions rather than conversation. */
const INSTRUCTION_ROLES = new Set(['system', 'developer']);

export function minimize(
  provider: string,
  endpoint: string,
  body: unknown,
  options: { threshold?: number; normalizeText?: TextNormalizer } = {},
): unknown {
  // Top-level fields that hold instructions or tool definitions: the provider module's hint.
  const fields = providerModule(provider)?.redaction.blobFields;
  if (!fields || !isObj(body) || endpoint === 'models' || endpoint === 'probe') return body;
  const threshold = options.threshold ?? BLOB_THRESHOLD;
  const norm = options.normalizeText;
  const out: Obj = { ...body };
  for (const f of fields) {
    const oneLine = !TOOL_FIELDS.has(f);
    if (big(out[f], threshold, norm)) out[f] = toBlob(out[f], norm, { oneLine });
  }
  for (const list of ['input', 'messages'] as const) {
    if (Array.isArray(out[list]))
      out[list] = out[list].map((m) => minimizeItem(m, threshold, norm));
  }
  return out;
}

/** Developer/system messages (Codex sends ~60 KB of them) and inline tool lists in input items. */
function minimizeItem(item: unknown, threshold: number, norm?: TextNormalizer): unknown {
  if (!isObj(item)) return item;
  let out = item;
  if (typeof item.role === 'string' && INSTRUCTION_ROLES.has(item.role)) {
    if (big(item.content, threshold, norm)) out = { ...out, content: toBlob(item.content, norm) };
  }
  if (big(item.tools, threshold, norm)) {
    out = { ...out, tools: toBlob(item.tools, norm, { oneLine: false }) };
  }
  return out;
}
