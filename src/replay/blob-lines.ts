/**
 * What changed inside a minimised blob (issue 17 item 2). A cassette keeps a large prompt block
 * as a hash (`$rk_blob`), so a divergence there could only name two hashes. An agent's blob also
 * keeps one short hash per line of its normalised text; the live request still has its text. The
 * report lines up the two by their line hashes and shows the live side of the lines that differ,
 * redacted (the live body went through the same redactor) and normalised, with line numbers:
 * `system[2].text line 14 changed: "..."`.
 */
import type { ModelRequest } from '../cassette/schema.ts';
import {
  hasLines,
  lineHash,
  mapLeaves,
  type TextNormalizer,
  textLeaves,
} from '../redaction/minimize.ts';
import { show } from './diff.ts';

/** The live request's text before minimisation, read only when a report needs it. */
export interface LiveSource {
  body: unknown;
  normalizeText?: TextNormalizer;
}

const sources = new WeakMap<ModelRequest, () => LiveSource>();

/** Ties a minimised live request to its unminimised text (no copy is made until asked for). */
export function rememberLiveSource(request: ModelRequest, source: () => LiveSource): void {
  sources.set(request, source);
}

type Segment = string | number;
interface BlobPair {
  at: Segment[];
  lines: Record<string, string>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Blobs whose hashes differ at the same place in two compared views, recorded line hashes kept. */
function* changedBlobs(a: unknown, b: unknown, at: Segment[] = []): Generator<BlobPair> {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++)
      yield* changedBlobs(a[i], b[i], [...at, i]);
    return;
  }
  if (!isObject(a) || !isObject(b)) return;
  if (isObject(a.$rk_blob) && isObject(b.$rk_blob)) {
    // Non-enumerable on the compared view (providers/agents.ts): never compared, never printed.
    const lines = (a.$rk_blob as { lines?: Record<string, string> }).lines;
    if (a.$rk_blob.sha256 !== b.$rk_blob.sha256 && lines) yield { at, lines };
    return;
  }
  for (const key of Object.keys(a)) if (key in b) yield* changedBlobs(a[key], b[key], [...at, key]);
}

function valueAt(root: unknown, at: Segment[]): unknown {
  let node = root;
  for (const s of at) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[s];
  }
  return node;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
function display(at: Segment[]): string {
  let out = '';
  for (const s of at) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENT.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Live line indexes with no recorded twin, and recorded ones with no live twin (an LCS). */
function unmatched(recorded: string[], live: string[]): { added: number[]; removed: number[] } {
  const n = recorded.length;
  const m = live.length;
  // Long texts are compared line by line in place rather than aligned (the table is n x m).
  if (n * m > 4_000_000) {
    const added: number[] = [];
    const removed: number[] = [];
    for (let i = 0; i < Math.max(n, m); i++) {
      if (recorded[i] === live[i]) continue;
      if (i < m) added.push(i);
      if (i < n) removed.push(i);
    }
    return { added, removed };
  }
  const table = new Uint32Array((n + 1) * (m + 1));
  const cell = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[cell(i, j)] =
        recorded[i] === live[j]
          ? table[cell(i + 1, j + 1)]! + 1
          : Math.max(table[cell(i + 1, j)]!, table[cell(i, j + 1)]!);
    }
  }
  const added: number[] = [];
  const removed: number[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (recorded[i] === live[j]) {
      i++;
      j++;
    } else if (table[cell(i + 1, j)]! >= table[cell(i, j + 1)]!) removed.push(i++);
    else added.push(j++);
  }
  while (i < n) removed.push(i++);
  while (j < m) added.push(j++);
  return { added, removed };
}

const chunks = (hashes: string) => hashes.match(/.{8}/g) ?? [];

/**
 * The report lines for the blobs that differ between the recorded view and the live one, or
 * none when there is nothing to tell (no agent blob, no live text).
 */
export function blobLineDiff(
  recordedView: unknown,
  liveView: unknown,
  live: ModelRequest | undefined,
  limit = 8,
): string[] {
  const pairs = [...changedBlobs(recordedView, liveView)];
  const source = live && pairs.length > 0 ? sources.get(live)?.() : undefined;
  if (!source) return [];
  const out: string[] = [];
  let more = 0;
  const push = (line: string) => {
    if (out.length < limit) out.push(line);
    else more++;
  };
  for (const { at, lines } of pairs) {
    // The view's path starts at `body`; the blob's text is found at the same place in it.
    const bodyAt = at[0] === 'body' ? at.slice(1) : at;
    const value = valueAt(source.body, bodyAt);
    if (value === undefined) continue;
    const normal = source.normalizeText ? mapLeaves(value, source.normalizeText) : value;
    const where = display(bodyAt);
    const oneLine = Object.values(lines).some((h) => h.length === 8);
    let told = false;
    for (const [leaf, text] of textLeaves(normal)) {
      const recorded = lines[leaf];
      const liveLines = text.split('\n');
      if (recorded === undefined) {
        // A one-line text is new only if the blob kept one-line texts (tool definitions do not).
        if (!(text.includes('\n') || (oneLine && hasLines(text)))) continue;
        push(
          liveLines.length === 1
            ? `${where}${leaf} added: ${show(text, 160)}`
            : `${where}${leaf} added (${liveLines.length} lines): ${show(liveLines[0], 120)} ...`,
        );
        told = true;
        continue;
      }
      const { added, removed } = unmatched(chunks(recorded), liveLines.map(lineHash));
      const changed = Math.min(added.length, removed.length);
      added.forEach((j, k) => {
        const how = k < changed ? 'changed' : 'added';
        push(`${where}${leaf} line ${j + 1} ${how}: ${show(liveLines[j], 160)}`);
        told = true;
      });
      // Lines only the recording had: their text is not in the cassette, only their place.
      const gone = removed.length - added.length;
      if (gone > 0) {
        push(`${where}${leaf}: ${gone} recorded line${gone === 1 ? '' : 's'} removed`);
        told = true;
      }
    }
    for (const leaf of Object.keys(lines)) {
      if (valueAt(normal, parseLeaf(leaf)) === undefined) {
        push(`${where}${leaf} removed (was ${chunks(lines[leaf]!).length} lines)`);
        told = true;
      }
    }
    if (!told) push(`${where}: changed outside its texts (a short field)`);
  }
  if (more > 0) out.push(`... ${more} more changed lines not shown`);
  return out;
}

/** `[2].text` / `.a["b-c"]` back to segments. */
function parseLeaf(leaf: string): Segment[] {
  const out: Segment[] = [];
  for (const m of leaf.matchAll(/\[(\d+)\]|\.([A-Za-z_$][\w$]*)|\[("(?:[^"\\]|\\.)*")\]/g)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2]);
    else out.push(JSON.parse(m[3]!) as string);
  }
  return out;
}
