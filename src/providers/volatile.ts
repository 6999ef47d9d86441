/**
 * Volatile-field lists: values that differ on every run of the same conversation (ids, clocks,
 * random padding, signatures). They are kept in the cassette as received and replaced by
 * VOLATILE only in the normalised forms used for matching and for the canonical hash. The
 * provider modules own the lists (`volatile`); docs/CONTRACT.md mirrors them: keep both in step.
 */
import { PROVIDERS } from './registry.ts';
import { isRecord } from './util.ts';

export const VOLATILE = '<volatile>';

/** Response-body and stream-event paths: every module's (registry.ts says why the union). */
export const RESPONSE_PATHS: readonly string[] = PROVIDERS.flatMap((m) => m.volatile.response);

/** Paths in request bodies: per-session keys, and opaque tokens the client echoes back. */
export const REQUEST_PATHS: readonly string[] = PROVIDERS.flatMap((m) => m.volatile.request);

/** Header names (lower-case) whose values change per run or per machine. */
export const VOLATILE_HEADERS: readonly RegExp[] = [
  /^(authorization|x-api-key|x-goog-api-key|api-key|cookie|set-cookie)$/,
  /^(date|user-agent|host|connection|keep-alive|content-length|transfer-encoding|accept-encoding)$/,
  /^(x-request-id|request-id|x-client-request-id|idempotency-key|traceparent|tracestate)$/,
  /^(cf-ray|cf-cache-status|server-timing|alt-svc|server)$/,
  ...PROVIDERS.flatMap((m) => [...m.volatile.headers, ...(m.redaction.secretHeaders ?? [])]),
];

/** The paths as a tree of segments (`*` = any key or index); `end` marks a complete path. */
interface PathTree {
  end: boolean;
  next: Map<string, PathTree>;
}

const trees = new WeakMap<readonly string[], PathTree>();

function treeOf(paths: readonly string[]): PathTree {
  let root = trees.get(paths);
  if (root) return root;
  root = { end: false, next: new Map() };
  for (const path of paths) {
    let node = root;
    for (const segment of path.split('.')) {
      let child = node.next.get(segment);
      if (!child) {
        child = { end: false, next: new Map() };
        node.next.set(segment, child);
      }
      node = child;
    }
    node.end = true;
  }
  trees.set(paths, root);
  return root;
}

/**
 * A copy of `value` with every present field at one of `paths` replaced by VOLATILE. It walks
 * the value once against the paths' segment tree (this runs on every captured stream event
 * when the cassette's hash is computed), and still returns a deep copy.
 */
export function replacePaths(value: unknown, paths: readonly string[]): unknown {
  const walk = (node: unknown, at: PathTree[]): unknown => {
    if (at.length === 0) return copy(node);
    if (Array.isArray(node)) {
      // Elements are walked, never replaced themselves (a path names fields).
      const inner = step(at, '*');
      return node.map((v) => walk(v, inner));
    }
    if (!isRecord(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const inner = step(at, key);
      out[key] = inner.some((t) => t.end) ? VOLATILE : walk(child, inner);
    }
    return out;
  };
  return walk(value, [treeOf(paths)]);
}

/**
 * `stableStringify(replacePaths(value, paths))` (fast-json-stable-stringify: sorted keys,
 * undefined fields left out) in one walk, without the copy: replay computes it for every
 * request it matches. For the JSON values requests hold (parsed bodies) the text is the same,
 * down to the copy's quirk of dropping `__proto__` keys (assigning one sets a prototype).
 */
export function stableReplaced(value: unknown, paths: readonly string[]): string | undefined {
  const walk = (node: unknown, at: PathTree[] | null): string | undefined => {
    if (typeof node === 'number') return Number.isFinite(node) ? `${node}` : 'null';
    if (typeof node !== 'object') return JSON.stringify(node);
    if (node === null) return 'null';
    if (Array.isArray(node)) {
      const inner = at && below(at, '*');
      let out = '[';
      for (let i = 0; i < node.length; i++) {
        if (i > 0) out += ',';
        out += walk(node[i], inner) ?? 'null';
      }
      return `${out}]`;
    }
    const keys = Object.keys(node).sort();
    let out = '';
    for (const key of keys) {
      if (key === '__proto__') continue;
      const inner = at && below(at, key);
      const text = inner?.some((t) => t.end)
        ? VOLATILE_JSON
        : walk((node as Record<string, unknown>)[key], inner);
      if (text === undefined) continue;
      out += `${out ? ',' : ''}${JSON.stringify(key)}:${text}`;
    }
    return `{${out}}`;
  };
  return walk(value, [treeOf(paths)]);
}

/** As `step`, with `null` for none (no array allocated for the keys no path names). */
function below(at: PathTree[], key: string): PathTree[] | null {
  let out: PathTree[] | null = null;
  for (const t of at) {
    const exact = t.next.get(key);
    const any = key === '*' ? undefined : t.next.get('*');
    if (!exact && !any) continue;
    out ??= [];
    if (exact) out.push(exact);
    if (any) out.push(any);
  }
  return out;
}

const VOLATILE_JSON = JSON.stringify(VOLATILE);

/** The subtrees one segment further down: the key itself, and `*`, which matches any. */
function step(at: PathTree[], key: string): PathTree[] {
  const out: PathTree[] = [];
  for (const t of at) {
    const exact = t.next.get(key);
    if (exact) out.push(exact);
    const any = key === '*' ? undefined : t.next.get('*');
    if (any) out.push(any);
  }
  return out;
}

function copy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(copy);
  if (!isRecord(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) out[key] = copy(child);
  return out;
}

export function normalizeHeaders(
  headers: Record<string, string>,
  extra: (name: string, value: string) => string | undefined = () => undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    out[lower] = VOLATILE_HEADERS.some((re) => re.test(lower))
      ? VOLATILE
      : (extra(lower, value) ?? value);
  }
  return out;
}
