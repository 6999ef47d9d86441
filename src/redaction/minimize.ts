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
  $rk_blob: { sha256: string; size: number; prefix: string };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isBlobRef(v: unknown): v is BlobRef {
  return isObj(v) && isObj(v.$rk_blob) && typeof v.$rk_blob.sha256 === 'string';
}

/** Strings hash as themselves; anything else as its key-sorted JSON. */
export function toBlob(value: unknown): BlobRef {
  const text = typeof value === 'string' ? value : stableStringify(value);
  return {
    $rk_blob: {
      sha256: createHash('sha256').update(text).digest('hex'),
      size: Buffer.byteLength(text),
      prefix: text.slice(0, BLOB_PREFIX_CHARS),
    },
  };
}

function big(value: unknown, threshold: number): boolean {
  if (value === undefined || value === null || isBlobRef(value)) return false;
  const text = typeof value === 'string' ? value : stableStringify(value);
  return Buffer.byteLength(text) > threshold;
}

/** Message roles whose content is instructions rather than conversation. */
const INSTRUCTION_ROLES = new Set(['system', 'developer']);

export function minimize(
  provider: string,
  endpoint: string,
  body: unknown,
  options: { threshold?: number } = {},
): unknown {
  // Top-level fields that hold instructions or tool definitions: the provider module's hint.
  const fields = providerModule(provider)?.redaction.blobFields;
  if (!fields || !isObj(body) || endpoint === 'models' || endpoint === 'probe') return body;
  const threshold = options.threshold ?? BLOB_THRESHOLD;
  const out: Obj = { ...body };
  for (const f of fields) if (big(out[f], threshold)) out[f] = toBlob(out[f]);
  for (const list of ['input', 'messages'] as const) {
    if (Array.isArray(out[list])) out[list] = out[list].map((m) => minimizeItem(m, threshold));
  }
  return out;
}

/** Developer/system messages (Codex sends ~60 KB of them) and inline tool lists in input items. */
function minimizeItem(item: unknown, threshold: number): unknown {
  if (!isObj(item)) return item;
  let out = item;
  if (typeof item.role === 'string' && INSTRUCTION_ROLES.has(item.role)) {
    if (big(item.content, threshold)) out = { ...out, content: toBlob(item.content) };
  }
  if (big(item.tools, threshold)) out = { ...out, tools: toBlob(item.tools) };
  return out;
}
