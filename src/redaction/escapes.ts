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

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

interface Level {
  text: string;
  /** `starts[i]`: where decoded character i begins in the level above; `starts[len]` its length. */
  starts: Uint32Array;
}

/** One level of escapes decoded; undefined when there was none. */
function decodeOnce(s: string): Level | undefined {
  const starts = new Uint32Array(s.length + 1);
  let out = '';
  let n = 0;
  let i = 0;
  let changed = false;
  while (i < s.length) {
    starts[n] = i;
    if (s.charCodeAt(i) === 92 && i + 1 < s.length) {
      const next = s[i + 1]!;
      const simple = SIMPLE[next];
      if (simple !== undefined) {
        out += simple;
        n++;
        i += 2;
        changed = true;
        continue;
      }
      if (next === 'u' && hex4(s, i + 2)) {
        out += String.fromCharCode(Number.parseInt(s.slice(i + 2, i + 6), 16));
        n++;
        i += 6;
        changed = true;
        continue;
      }
    }
    out += s[i];
    n++;
    i++;
  }
  starts[n] = s.length;
  return changed ? { text: out, starts: starts.subarray(0, n + 1) } : undefined;
}

function hex4(s: string, at: number): boolean {
  if (at + 4 > s.length) return false;
  for (let k = at; k < at + 4; k++) if (!isHex(s.charCodeAt(k))) return false;
  return true;
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
      for (let l = levels.length - 1; l >= 0; l--) p = levels[l]!.starts[p]!;
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
