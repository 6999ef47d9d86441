/**
 * Per-test cassette names for `autoCassette`: `cassettes/<test file>/<suite › test>.rpk`.
 * Names are slugged for every file system (Windows forbids `<>:"/\|?*`), and a long name is cut
 * and suffixed with a short hash of the full name, so two long names that share a prefix never
 * land in one file.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

export const SEPARATOR = ' › ';
const MAX_SLUG = 80;

export function slug(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/›/g, '--')
    .replace(/[^A-Za-z0-9._ -]+/g, ' ')
    .replace(/\s+/g, '-')
    .replace(/-{3,}/g, '--')
    .replace(/^[-.]+|[-.]+$/g, '');
  if (cleaned.length <= MAX_SLUG && cleaned.length > 0) return cleaned;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${cleaned.slice(0, MAX_SLUG - 9).replace(/[-.]+$/, '')}-${hash}`;
}

/**
 * The cassette for one test: `<root>/<dir>/<test file relative to root>/<slug>.rpk`. The test
 * file keeps its name (extension included) so `a.test.ts` and `a.test.js` never share a folder.
 */
export function autoCassettePath(options: {
  root: string;
  dir: string;
  testFile: string;
  names: string[];
}): string {
  const relative = path.relative(options.root, options.testFile);
  const inside =
    relative.startsWith('..') || path.isAbsolute(relative) ? path.basename(relative) : relative;
  return path.join(options.root, options.dir, inside, `${slug(options.names.join(SEPARATOR))}.rpk`);
}
