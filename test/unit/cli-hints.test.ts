/**
 * Issue 22: a hint that tells the user to run `replaypack ...` must say `npx replaypack ...` for a
 * project install (nothing puts `replaypack` on PATH then). Every hint builds the name with
 * `cliName()`; this walks the product sources for a bare one, so a new message cannot bring the
 * problem back.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [rel] : [];
  });
}

test('no message in src/ or integrations/ tells the user to run a bare `replaypack ...`', () => {
  const bare: string[] = [];
  for (const file of [...sources('src'), ...sources('integrations')]) {
    const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const code = line.trim();
      if (/\bdescription:\s*$/.test(lines[i - 1] ?? '')) return;
      // Comments, help text of the commands' own flags, and a command's name in
      // `Failed to run "replaypack X"` are not instructions to run something.
      if (/^(\*|\/\/|\/\*)/.test(code) || /\bdescription:/.test(code)) return;
      const text = code.replace(/Failed to run "replaypack [a-z ]+"/g, '');
      if (/["'`(\s:]replaypack [a-z]/.test(text) && !text.includes('cliName()')) {
        bare.push(`${file}:${i + 1}: ${code}`);
      }
    });
  }
  expect(bare).toEqual([]);
});
