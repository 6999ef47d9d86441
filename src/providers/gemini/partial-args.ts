/**
 * Gemini 3 / Vertex streamed function-call arguments (issue 14 item 4): a named `functionCall`
 * part with `willContinue: true` opens a call; the parts after it carry `partialArgs` entries
 * (`jsonPath` plus one of `stringValue`, `numberValue`, `boolValue`, `nullValue`; string values
 * arrive in pieces and are appended) and `willContinue`; a `functionCall` part without
 * `willContinue` closes it. Before this, every such part became a tool call of its own (75 for
 * one call in the Vertex nested-arguments fixture), most with an empty name.
 */
import { arr, isRecord, type JsonRecord, str } from '../util.ts';

/** `$.a.b[0].c` or `$['a'].b` → `['a', 'b', 0, 'c']`; `null` for a path it cannot read. */
export function parseJsonPath(path: string): (string | number)[] | null {
  if (!path.startsWith('$')) return null;
  const keys: (string | number)[] = [];
  const token = /\.([^.[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  let at = 1;
  while (at < path.length) {
    token.lastIndex = at;
    const m = token.exec(path);
    if (!m) return null;
    if (m[1] !== undefined) keys.push(m[1]);
    else if (m[2] !== undefined) keys.push(Number(m[2]));
    else keys.push((m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1'));
    at = token.lastIndex;
  }
  return keys;
}

function setAt(root: JsonRecord, keys: (string | number)[], value: unknown, append: boolean): void {
  let node: Record<string | number, unknown> = root;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    if (last) {
      const prior = node[key];
      node[key] = append && typeof prior === 'string' ? prior + (value as string) : value;
      return;
    }
    const next = node[key];
    if (typeof next !== 'object' || next === null) {
      node[key] = typeof keys[i + 1] === 'number' ? [] : {};
    }
    node = node[key] as Record<string | number, unknown>;
  });
}

/** Folds one `partialArgs` list into `args`. */
export function applyPartialArgs(args: JsonRecord, partial: unknown): void {
  for (const entry of arr(partial)) {
    if (!isRecord(entry)) continue;
    const keys = parseJsonPath(str(entry.jsonPath) ?? '');
    if (!keys || keys.length === 0) continue;
    if (typeof entry.stringValue === 'string') setAt(args, keys, entry.stringValue, true);
    else if ('numberValue' in entry) setAt(args, keys, entry.numberValue, false);
    else if ('boolValue' in entry) setAt(args, keys, entry.boolValue, false);
    else if ('nullValue' in entry) setAt(args, keys, null, false);
  }
}
