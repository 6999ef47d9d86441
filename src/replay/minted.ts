/**
 * Values the client minted: ids an SDK makes up and sends (the AI SDK gives a Gemini
 * `functionCall` without an id a random one and echoes it in the next request; agents put
 * per-run uuids in their requests). They differ on every run, so replay binds them instead of
 * comparing them (issue 13): a string in a request that looks random and that no earlier
 * recorded response held is minted, and the recorded value maps to the live one, one to one,
 * for the whole replay. A value the client read from a response is never minted: it is compared.
 */
import type { ModelResponse } from '../cassette/schema.ts';
import { joinPath } from './diff.ts';

/** What a minted value reads as in the compared view of a request (both sides). */
export const MINTED = '<minted>';

/** Ids are short: a long high-entropy string is content (an image, a document), not an id. */
const SHAPE = /^[\w\-.:+/=]{8,80}$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const HEX = /^[0-9a-f]{12,}$/i;
const SEPARATORS = /[-_.:+/=]+/;
/** camelCase words, upper-case runs, digit runs: a name splits into a few long words. */
const WORDS = /[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g;
const CONSONANTS = /[^aeiouy]+/gi;
/** Keys whose values are ids (`id`, `call_id`, `tool_use_id`, `toolCallId`): names never are. */
const ID_KEY = /(^|[_-])id$|[a-z]Id$/i;

/**
 * Does `value` look like an id a program made up: a uuid, a nanoid-style token, a `call_…`,
 * `toolu_…` or `exec-…` id, a hex or base62 token? Under an id key (`id`, `call_id`,
 * `tool_use_id`) any token that mixes letters with digits or cases does. Elsewhere the token
 * must also read as noise: names (`get_weather`, `getWeatherForCity`), model ids
 * (`claude-3-5-sonnet-20241022`), dates and versions split into a few long words, a random
 * token into many short ones or runs of consonants no word has.
 */
export function looksMinted(value: string, key?: string): boolean {
  if (!SHAPE.test(value)) return false;
  const uuid = UUID.exec(value);
  if (uuid && uuid[0].length * 2 >= value.length) return true;
  const chunks = value.split(SEPARATORS);
  if (key !== undefined && ID_KEY.test(key)) {
    const bare = chunks.join('');
    return bare.length >= 12 && mixed(bare);
  }
  // The random part must be most of the value, not a piece of a path or a sentence; nanoid's
  // alphabet has `-` and `_`, so it may come in pieces.
  const token = chunks.filter((c) => c.length >= 5 && mixed(c)).join('');
  if (token.length < 8 || token.length * 2 < value.length) return false;
  return HEX.test(token) || noisy(token);
}

function mixed(chunk: string): boolean {
  const lower = /[a-z]/.test(chunk);
  const upper = /[A-Z]/.test(chunk);
  const digit = /\d/.test(chunk);
  return (lower && upper) || ((lower || upper) && digit);
}

/** Measured on lib.dom's identifiers and random base62 ids: about 1% wrong either way. */
function noisy(token: string): boolean {
  const words = token.match(WORDS) ?? [];
  let run = 0;
  for (const word of words) {
    for (const m of word.match(CONSONANTS) ?? []) if (!/\d/.test(m)) run = Math.max(run, m.length);
  }
  return (words.length >= 4 && token.length / words.length <= 3) || run >= 5;
}

/** Adds every string leaf of `value` that could be an id to `out` (a response's strings). */
export function collectIds(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === 'string') {
    if (SHAPE.test(value)) out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectIds(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) collectIds(v, out);
  }
  return out;
}

/** Adds every string leaf of `value` that looks minted to `out`. */
export function collectMinted(value: unknown, out: Set<string>, key?: string): Set<string> {
  if (typeof value === 'string') {
    if (looksMinted(value, key)) out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectMinted(v, out, key);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      // A minimised blob's hashes come from its text, not from the client: read as minted ids,
      // a changed prompt inside a blob of the same size matched (issue 17).
      if (k !== '$rk_blob') collectMinted(v, out, k);
    }
  }
  return out;
}

/** A minted value where it sits in a request's compared view. */
export interface MintedAt {
  path: string;
  value: string;
}

/**
 * A copy of `value` with each string leaf in `minted` read as MINTED; `found` gets where each
 * one was, in the order a divergence report walks (keys sorted, depth first).
 */
export function anonymise(
  value: unknown,
  minted: ReadonlySet<string>,
  found: MintedAt[],
  path = '',
): unknown {
  if (typeof value === 'string') {
    if (!minted.has(value)) return value;
    found.push({ path, value });
    return MINTED;
  }
  if (Array.isArray(value))
    return value.map((v, i) => anonymise(v, minted, found, joinPath(path, i)));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    out[key] = anonymise(
      (value as Record<string, unknown>)[key],
      minted,
      found,
      joinPath(path, key),
    );
  }
  return out;
}

/** Where a live request's minted values contradict the bindings made so far. */
export interface BindingConflict {
  path: string;
  /** The live value the recorded one is bound to (or the recorded value, if unbound). */
  expected: string;
  actual: string;
}

/**
 * The one-to-one map between recorded and live minted values of one replay. A recorded value
 * always maps to the same live value and a live value to the same recorded one; a value the
 * client sends back unchanged (it read it from a served response) maps to itself.
 */
export class MintedBindings {
  readonly #toLive = new Map<string, string>();
  readonly #toRecorded = new Map<string, string>();

  get size(): number {
    return this.#toLive.size;
  }

  /** Is `live` a value this replay has bound? */
  hasLive(live: string): boolean {
    return this.#toRecorded.has(live);
  }

  /**
   * The first pair (recorded position, live value at the same path) that contradicts the
   * bindings, or null. Positions only one side has were left out of the comparison (ignored
   * paths) and bind nothing.
   */
  conflict(recorded: readonly MintedAt[], live: readonly MintedAt[]): BindingConflict | null {
    const pending = new Map<string, string>();
    const pendingBack = new Map<string, string>();
    const at = new Map(live.map((m) => [m.path, m.value]));
    for (const { path, value: r } of recorded) {
      const l = at.get(path);
      if (l === undefined || l === r) continue;
      const bound = this.#toLive.get(r) ?? pending.get(r);
      const back = this.#toRecorded.get(l) ?? pendingBack.get(l);
      if ((bound !== undefined && bound !== l) || (back !== undefined && back !== r)) {
        return { path, expected: bound ?? r, actual: l };
      }
      pending.set(r, l);
      pendingBack.set(l, r);
    }
    return null;
  }

  /** Are there pairs, and are all of them bound to each other already (a resent history)? */
  holds(recorded: readonly MintedAt[], live: readonly MintedAt[]): boolean {
    const at = new Map(live.map((m) => [m.path, m.value]));
    let pairs = 0;
    for (const { path, value: r } of recorded) {
      const l = at.get(path);
      if (l === undefined || l === r) continue;
      if (this.#toLive.get(r) !== l) return false;
      pairs++;
    }
    return pairs > 0;
  }

  /** Binds each pair; call only after `conflict` returned null for the same positions. */
  bind(recorded: readonly MintedAt[], live: readonly MintedAt[]): void {
    const at = new Map(live.map((m) => [m.path, m.value]));
    for (const { path, value: r } of recorded) {
      const l = at.get(path);
      if (l === undefined || l === r) continue;
      this.#toLive.set(r, l);
      this.#toRecorded.set(l, r);
    }
  }

  /** A copy of `value` with every bound live string read as its recorded value (parity). */
  toRecorded<T>(value: T): T {
    if (this.#toRecorded.size === 0) return value;
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return this.#toRecorded.get(node) ?? node;
      if (Array.isArray(node)) return node.map(walk);
      if (node === null || typeof node !== 'object') return node;
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child);
      return out;
    };
    return walk(value) as T;
  }
}

/** Every string in a recorded response that could be an id: body, stream events, headers. */
export function responseIds(step: ModelResponse, out: Set<string>): Set<string> {
  collectIds(step.body, out);
  for (const event of step.stream?.events ?? []) collectIds(event.data, out);
  collectIds(step.headers, out);
  return out;
}
