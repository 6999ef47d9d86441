/**
 * JSON with object keys sorted: the same text as fast-json-stable-stringify (which the canonical
 * hash was defined with, so every sealed cassette keeps its hash), about twice as fast. The hash
 * runs over every step a listener captures, every stream event included, so this is hot.
 * test/unit/cassette/stable-json.test.ts checks it against the library on random values.
 */
export function stableJson(input: unknown): string | undefined {
  let value = input;
  // Applied once, like the library: a toJSON result is not asked for its own toJSON.
  if (value !== null && typeof value === 'object') {
    const json = (value as { toJSON?: unknown }).toJSON;
    if (typeof json === 'function') value = json.call(value);
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      // What JSON.stringify (and so the library) does with one.
      return JSON.stringify(value);
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i) out += ',';
      out += stableJson(value[i]) ?? 'null';
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '';
  for (const key of keys) {
    const v = stableJson(record[key]);
    if (v === undefined) continue;
    if (out) out += ',';
    out += `${JSON.stringify(key)}:${v}`;
  }
  return `{${out}}`;
}
