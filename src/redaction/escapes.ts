/**
 * The decoded view of text that holds JSON string escapes (issue 14: a key right after `\n` in a
 * tool output holding a JSON document leaked, because detectors saw the `n` as part of a word;
 * an e-mail match swallowed that `n` and broke the JSON). Detectors run on the view, where every
 * escape, at every nesting level, is the character it stands for; each finding is mapped back to
 * the raw text on escape boundaries, so replacing it can never cut an escape in two.
 *
 * The view decodes escapes wherever they are, not only inside well-formed JSON: stream windows,
 * partial tool arguments and log lines are rarely whole documents. Decoding a backslash that was
 * not an escape only adds a word boundary, which can only make detection find more.
 */

/** JSON nested this deep inside strings is decoded; deeper escapes stay as they are. */
const MAX_LEVELS = 8;

const SIMPLE: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** A JSON escape; matched left to right, so `\\n` is an escaped backslash, then `n`. */
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4})/g;

interface Level {
  text: string;
  /** Per escape, in order: its position in `text`, in the level above, and its raw width. */
  at: number[];
  raw: number[];
  width: number[];
}

/** One level of escapes decoded; undefined when there was none. */
function decodeOnce(s: string): Level | undefined {
  const at: number[] = [];
  const raw: number[] = [];
  const width: number[] = [];
  let shrink = 0;
  const text = s.replace(ESCAPE, (m: string, offset: number) => {
    at.push(offset - shrink);
    raw.push(offset);
    width.push(m.length);
    shrink += m.length - 1;
    return m.length === 2 ? SIMPLE[m[1]!]! : String.fromCharCode(Number.parseInt(m.slice(2), 16));
  });
  return at.length === 0 ? undefined : { text, at, raw, width };
}

/** Position `p` of a level's text in the level above: after the last escape that precedes it. */
function up(level: Level, p: number): number {
  let lo = 0;
  let hi = level.at.length - 1;
  let k = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (level.at[mid]! < p) {
      k = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return k === -1 ? p : level.raw[k]! + level.width[k]! + (p - level.at[k]! - 1);
}

export interface DecodedView {
  /** The text with every level of escapes decoded. */
  text: string;
  /** Maps a position of `text` (0..text.length) back to the raw text, on escape boundaries. */
  toRaw(pos: number): number;
}

/** `text` itself when it holds no backslash: the common case costs one scan. */
export function decodedView(raw: string): DecodedView {
  if (!raw.includes('\\')) return { text: raw, toRaw: (p) => p };
  const levels: Level[] = [];
  let text = raw;
  while (levels.length < MAX_LEVELS && text.includes('\\')) {
    const level = decodeOnce(text);
    if (!level) break;
    levels.push(level);
    text = level.text;
  }
  return {
    text,
    toRaw(pos) {
      let p = pos;
      for (let l = levels.length - 1; l >= 0; l--) p = up(levels[l]!, p);
      return p;
    },
  };
}

/**
 * Where a detection window may end in text that is still growing: before a trailing escape that
 * is not complete yet (`\`, `\u00`), so a finding never ends inside it.
 */
export function completeEnd(s: string): number {
  let end = s.length;
  const u = s.lastIndexOf('\\u', end);
  if (u !== -1 && end - u < 6 && /^\\u[0-9A-Fa-f]*$/.test(s.slice(u))) end = u;
  while (end > 0 && s.charCodeAt(end - 1) === 92) end--;
  return end;
}
