/**
 * One self-contained HTML file: the stylesheet, the index as JSON, the page script, then the
 * chunks. Nothing is fetched: a Content-Security-Policy with `default-src 'none'` and hashes
 * for the one style and the one script forbids every request, fonts and images included, so
 * the page behaves the same from file://, a CI artifact or a web server.
 */
import { createHash } from 'node:crypto';
import type { ChunkStore } from './chunks.ts';
import { viewerApp } from './client/app.ts';
import type { PageData } from './page-data.ts';
import { STYLES } from './styles.ts';

const SCRIPT = `(${viewerApp.toString()})();`;
const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const CSP = `default-src 'none'; script-src ${sha(SCRIPT)}; style-src ${sha(STYLES)}; img-src data:; base-uri 'none'; form-action 'none'`;

/** JSON safe inside a <script> element: no `</script>`, no `<!--`, no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page as a list of strings, to be written in order (the chunks can be tens of MB). */
export function renderPage(data: PageData, chunks: ChunkStore | null, title: string): string[] {
  const pieces = chunks?.pieces ?? [];
  if (chunks) {
    data.offsets = chunks.offsets;
    data.packs = chunks.packs;
  }
  return [
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLES}</style></head>\n<body>`,
    '<div id="app"><p>Loading the cassette…</p></div>',
    '<noscript>This page needs JavaScript to show the cassette.</noscript>\n',
    `<script type="application/json" id="rk-data">${scriptJson(data)}</script>\n`,
    `<script>${SCRIPT}</script>\n`,
    // After the script: the page paints before the browser has parsed the bulk of the file.
    '<script type="text/plain" id="rk-chunks">',
    ...pieces,
    '</script>\n</body></html>\n',
  ];
}
