/**
 * `replaypack view` and `replaypack diff --html/--markdown` through the real CLI (issue 19):
 * where pages go, what the flags do, what a pull-request comment says, and that a page names no
 * resource outside itself.
 */
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiffData, ViewData } from '../../../src/viewer/page-data.ts';
import { replaypack } from '../../support/cli.ts';
import { writeMixedCassette } from '../../support/viewer-cassettes.ts';

const GOLDEN = fileURLToPath(new URL('../../../cassettes/golden/sdk-capture.rpk', import.meta.url));
let dir = '';

/** The index a page embeds, as the page script reads it. */
function pageData<T>(html: string): T {
  const m = /<script type="application\/json" id="rk-data">(.*?)<\/script>/s.exec(html);
  return JSON.parse(m![1]!) as T;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'replaykit-view-cli-'));
  writeMixedCassette(path.join(dir, 'mixed.rpk'));
  writeMixedCassette(path.join(dir, 'changed.rpk'), { changed: true });
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('replaypack view', () => {
  it('writes FILE.html beside the cassette: one file that names nothing outside itself', async () => {
    const rpk = path.join(dir, 'golden.rpk');
    copyFileSync(GOLDEN, rpk);
    const r = await replaypack(['view', rpk]);
    expect(r.exitCode).toBe(0);
    const out = path.join(dir, 'golden.html');
    expect(r.stdout).toContain(`${out}: viewer for ${rpk} (4 exchanges,`);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toMatch(
      /Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/,
    );
    // No external script, stylesheet, font, image or frame: every resource is inline.
    expect(html).not.toMatch(/<(link|iframe|img|object|embed)\b/i);
    expect(html).not.toMatch(/\bsrc=|@import|url\(|@font-face/i);
    const data = pageData<ViewData>(html);
    expect(data.exchanges.map((e) => `${e.provider} ${e.endpoint}`)).toEqual([
      'openai responses',
      'openai responses',
      'anthropic messages',
      'gemini generateContent',
    ]);
    expect(data.tools).toMatchObject([
      { name: 'get_weather', call_exchange: 0, result_exchange: 1 },
    ]);
    expect(data.totals.tokens.output).toBeGreaterThan(0);
    expect(data.totals.priced_at).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('--out, --json and --prices: the override prices every exchange', async () => {
    const prices = path.join(dir, 'prices.json');
    writeFileSync(
      prices,
      JSON.stringify({
        pricedAt: '2030-01-01',
        models: { 'claude-sonnet-4-5': { provider: 'anthropic', input: 1000, output: 0 } },
      }),
    );
    const out = path.join(dir, 'pages', 'mixed.html');
    const r = await replaypack([
      'view',
      path.join(dir, 'mixed.rpk'),
      '--out',
      out,
      '--prices',
      prices,
      '--json',
    ]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ out, exchanges: 3 });
    const data = pageData<ViewData>(readFileSync(out, 'utf8'));
    expect(data.totals.priced_at).toBe('2030-01-01');
    // 1200 input tokens at 1000 per million.
    expect(data.exchanges[0]!.cost).toBeCloseTo(1.2, 6);
    expect(data.totals.cost).toBeCloseTo(1.2, 6);
  });

  it('--open hands the page to $BROWSER', async () => {
    const seen = path.join(dir, 'opened.txt');
    const browser = path.join(dir, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\necho "$1" > "${seen}"\n`);
    chmodSync(browser, 0o755);
    const out = path.join(dir, 'open.html');
    const r = await replaypack(['view', GOLDEN, '--out', out, '--open'], {
      env: { BROWSER: browser },
    });
    expect(r.exitCode).toBe(0);
    await expect.poll(() => existsSync(seen) && readFileSync(seen, 'utf8').trim()).toBe(out);
  });

  it('exits 4 for a missing file and 3 for one that is not a cassette', async () => {
    const missing = await replaypack(['view', path.join(dir, 'nope.rpk')]);
    expect(missing.exitCode).toBe(4);
    expect(missing.stderr).toMatch(/^\[replaykit\] Failed to read cassette/);
    const bad = path.join(dir, 'bad.rpk');
    writeFileSync(bad, '{"type":"model.request"}\n');
    const invalid = await replaypack(['view', bad]);
    expect(invalid.exitCode).toBe(3);
    expect(invalid.stderr).toContain('bad.rpk:1: the first line must be a run.header');
  });
});

describe('replaypack diff --html and --markdown', () => {
  const a = () => path.join(dir, 'mixed.rpk');
  const b = () => path.join(dir, 'changed.rpk');

  it('--markdown prints a pull-request summary that links to the HTML page', async () => {
    const html = path.join(dir, 'diff.html');
    const r = await replaypack(['diff', a(), b(), '--markdown', '--html', html]);
    expect(r.exitCode).toBe(1);
    const md = r.stdout;
    expect(md).toContain('### ReplayKit cassette diff:');
    expect(md).toContain('**2 changed, 1 added, 0 removed**, 1 unchanged');
    expect(md).toMatch(/tokens 1240 → 1255 \(\+15\)/);
    expect(md).toContain('**First divergence** at `body.messages[0].content`');
    expect(md).toContain('| – / 2 | `gemini generateContent gemini-2.5-flash` | added |');
    expect(md).toContain('tool `Bash` changed');
    expect(md).toContain('+   "command": "ls -la"');
    expect(md).toContain(`[Open the full conversation diff (HTML)](${encodeURI(html)})`);
    const data = pageData<DiffData>(readFileSync(html, 'utf8'));
    expect(data.exchanges.map((x) => x.status)).toEqual(['changed', 'changed', 'only_b', 'same']);
    const withUrl = await replaypack(['diff', a(), b(), '--markdown'], {
      env: { REPLAYKIT_DIFF_URL: 'https://ci.example/artifacts/diff.html' },
    });
    expect(withUrl.stdout).toContain('(https://ci.example/artifacts/diff.html)');
  });

  it('keeps the text report and --json, adding where the page went; exit 0 when equal', async () => {
    const html = path.join(dir, 'diff2.html');
    const text = await replaypack(['diff', a(), b(), '--html', html]);
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain('differ');
    expect(text.stdout).toContain(`HTML diff: ${html}`);
    const json = await replaypack(['diff', a(), b(), '--html', html, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ equal: false, html });
    const same = await replaypack(['diff', a(), a(), '--markdown']);
    expect(same.exitCode).toBe(0);
    expect(same.stdout).toContain('✅ Same canonical steps (3 exchanges).');
  });
});
