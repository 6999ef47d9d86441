/** view/: a cassette, or two, as a self-contained HTML page or a markdown summary (issue 19). */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { PriceTable } from '../pricing/index.ts';
import { buildView } from './build-view.ts';
import type { ChunkStore } from './chunks.ts';
import { renderPage } from './page.ts';
import type { PageData } from './page-data.ts';

export { type BuiltDiff, buildDiff, diffSteps } from './build-diff.ts';
export { buildView } from './build-view.ts';
export { formatMarkdown } from './markdown.ts';
export type { DiffData, PageData, ViewData } from './page-data.ts';

/** `FILE.rpk` → `FILE.html` beside it. */
export const defaultPagePath = (file: string) =>
  path.join(path.dirname(file), `${path.basename(file, path.extname(file))}.html`);

/** Writes the page piece by piece: the chunks of a large cassette are never copied into one string. */
export async function writePage(
  out: string,
  data: PageData,
  chunks: ChunkStore | null,
  title: string,
): Promise<number> {
  await mkdir(path.dirname(path.resolve(out)), { recursive: true });
  const stream = createWriteStream(out);
  let bytes = 0;
  for (const piece of renderPage(data, chunks, title)) {
    bytes += Buffer.byteLength(piece);
    if (!stream.write(piece)) await new Promise<void>((r) => stream.once('drain', () => r()));
  }
  stream.end();
  await finished(stream);
  return bytes;
}

export interface ViewResult {
  file: string;
  out: string;
  exchanges: number;
  bytes: number;
}

export async function writeViewer(
  file: string,
  options: { out?: string; prices?: PriceTable; name?: string } = {},
): Promise<ViewResult> {
  const { data, chunks } = await buildView(file, options);
  const out = options.out ?? defaultPagePath(file);
  const title = `${path.basename(file)} · ReplayKit viewer`;
  const bytes = await writePage(out, data, chunks, title);
  return { file, out, exchanges: data.exchanges.length, bytes };
}
