/**
 * JSON differences for divergence reports: the first differing path (what a person reads first)
 * and a short structural diff (what they read next). Paths look like `body.messages[1].content`.
 */
export interface Difference {
  path: string;
  /** `undefined` means "absent on this side". */
  expected: unknown;
  actual: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const IDENT = /^[A-Za-z_$][\w$]*$/;

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const part = IDENT.test(key) ? key : JSON.stringify(key);
  if (!IDENT.test(key)) return `${base}[${part}]`;
  return base === '' ? part : `${base}.${part}`;
}

/** Every differing leaf, depth first, object keys in sorted order so the first one is stable. */
export function* differences(expected: unknown, actual: unknown, path = ''): Generator<Difference> {
  if (Object.is(expected, actual)) return;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      yield* differences(
        i < expected.length ? expected[i] : undefined,
        i < actual.length ? actual[i] : undefined,
        joinPath(path, i),
      );
    }
    return;
  }
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const key of keys) {
      yield* differences(expected[key], actual[key], joinPath(path, key));
    }
    return;
  }
  yield { path: path === '' ? '(root)' : path, expected, actual };
}

export function firstDifference(expected: unknown, actual: unknown): Difference | null {
  for (const d of differences(expected, actual)) return d;
  return null;
}

/** Renders a value for a one-line message: JSON, shortened in the middle when long. */
export function show(value: unknown, max = 120): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= max) return text;
  const half = Math.floor((max - 5) / 2);
  return `${text.slice(0, half)} ... ${text.slice(-half)}`;
}

/** `- path: expected` / `+ path: actual` lines for the first few differences. */
export function structuralDiff(expected: unknown, actual: unknown, limit = 6): string[] {
  const lines: string[] = [];
  let count = 0;
  for (const d of differences(expected, actual)) {
    if (count === limit) {
      lines.push('  ... more differences not shown');
      break;
    }
    if (d.expected !== undefined) lines.push(`- ${d.path}: ${show(d.expected, 80)}`);
    if (d.actual !== undefined) lines.push(`+ ${d.path}: ${show(d.actual, 80)}`);
    count++;
  }
  return lines;
}

/** Number of differing leaves, capped: used to pick the closest recorded request. */
export function distance(expected: unknown, actual: unknown, cap = 50): number {
  let n = 0;
  for (const _ of differences(expected, actual)) if (++n >= cap) break;
  return n;
}
