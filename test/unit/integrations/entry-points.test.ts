/**
 * Issue 16 item 3: the integrations are thin. They import only the package's public entry points
 * (`replaykit`, `replaykit/integration`, `replaykit/listener`), never a module deep in src/, so
 * what they rely on is what a third-party integration can rely on too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const PUBLIC = new Set(['src/index.ts', 'src/integration.ts', 'src/listener/index.ts']);

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sources(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

test('every import of src/ from integrations/ is a public entry point', () => {
  const files = sources('integrations');
  expect(files.length).toBeGreaterThan(5);
  const deep: string[] = [];
  let reached = 0;
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8');
    for (const [, spec] of text.matchAll(/from\s+'([^']+)'/g)) {
      if (!spec!.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec!));
      if (!target.startsWith('src/')) continue;
      reached++;
      if (!PUBLIC.has(target)) deep.push(`${file} → ${target}`);
    }
  }
  expect(reached).toBeGreaterThan(0);
  expect(deep).toEqual([]);
});
