/**
 * The viewer and diff pages in a real browser (issue 19 item 3): headless Debian chromium driven
 * by playwright-core. Pages are written by the real CLI; every test also checks that the page
 * logged no error and that nothing left it (every request is intercepted and refused).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import fc from 'fast-check';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCassetteWriter } from '../../../src/cassette/writer.ts';
import {
  CHROMIUM,
  hasChromium,
  launch,
  type OpenedPage,
  type Session,
} from '../../support/browser.ts';
import { replaypack } from '../../support/cli.ts';
import {
  HOSTILE,
  writeLargeStreamedCassette,
  writeMixedCassette,
} from '../../support/viewer-cassettes.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GOLDEN = path.join(ROOT, 'cassettes/golden/sdk-capture.rpk');
const AXE = readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

let dir = '';
let session: Session;
const opened: OpenedPage[] = [];

async function view(rpk: string, name: string, extra: string[] = []): Promise<string> {
  const out = path.join(dir, `${name}.html`);
  const r = await replaypack(['view', rpk, '--out', out, ...extra]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return out;
}

async function open(file: string, theme?: 'light' | 'dark'): Promise<Page> {
  const o = await session.open(file, theme ? { theme } : {});
  opened.push(o);
  await o.page.waitForSelector('#app header');
  return o.page;
}

/** Text as rendered (what a reader sees: hidden parts left out, whitespace collapsed). */
// biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is asserted.
const seen = (locator: Locator) => locator.innerText();

const texts = (page: Page, selector: string) =>
  page.locator(selector).evaluateAll((els) => els.map((e) => e.textContent ?? ''));

beforeAll(async () => {
  // A missing browser is a failure, not a skip: CI installs chromium (.ci/run).
  expect(hasChromium(), `${CHROMIUM} is missing: apt-get install chromium`).toBe(true);
  dir = await mkdtemp(path.join(tmpdir(), 'replaykit-viewer-'));
  writeMixedCassette(path.join(dir, 'mixed.rpk'));
  writeMixedCassette(path.join(dir, 'changed.rpk'), { changed: true });
  writeMixedCassette(path.join(dir, 'synthetic.rpk'), { synthetic: true });
  session = await launch();
});

afterEach(async () => {
  for (const o of opened.splice(0)) {
    expect(o.errors, 'console errors').toEqual([]);
    expect(o.requests, 'requests that tried to leave the page').toEqual([]);
    await o.page.close();
  }
});

afterAll(async () => {
  await session?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('replaypack view in a browser', () => {
  it('renders the golden cassette: run header, timeline, turns and tokens', async () => {
    const page = await open(await view(GOLDEN, 'golden'));
    const header = await seen(page.locator('header.top'));
    expect(header).toContain('capture\nsdk');
    expect(header).toMatch(/seal\s+sealed, 10 steps/);
    expect(header).toMatch(/redaction\s+default \+ PII/);
    expect(await page.locator('#ex [role=option]').count()).toBe(4);
    const rows = await texts(page, '#ex [role=option]');
    expect(rows[0]).toContain('openai responses');
    expect(rows[2]).toContain('anthropic messages');
    expect(rows[3]).toContain('gemini generateContent');
    await page.waitForSelector('.turn.user');
    expect(await texts(page, '.turn.user .text')).toEqual(['Weather in Paris?']);
    // Each provider's request renders as turns, not JSON.
    for (const [i, text] of [
      [1, 'get_weather'],
      [2, 'Say hello'],
      [3, 'Say hello'],
    ] as const) {
      await page.locator(`#ex-${i}`).click();
      await page.waitForFunction(
        (n) => document.querySelector('#detail h2')?.textContent?.startsWith(`Exchange #${n}`),
        i,
      );
      await page.waitForSelector('.turns');
      expect(await seen(page.locator('.turns'))).toContain(text);
    }
    expect(await seen(page.locator('#detail'))).toMatch(/tokens\s+\d+ in/);
  });

  it('works the same when written by the built package (dist/cli.mjs)', async () => {
    // The page script is embedded as a function's source: a bundler must not break it.
    const cli = path.join(ROOT, 'dist/cli.mjs');
    expect(existsSync(cli), 'dist/cli.mjs: run npm run build first').toBe(true);
    const out = path.join(dir, 'dist.html');
    const r = await execa(process.execPath, [cli, 'view', GOLDEN, '--out', out], { reject: false });
    expect(r.exitCode).toBe(0);
    const page = await open(out);
    await page.waitForSelector('.turn.user');
    expect(await texts(page, '.turn.user .text')).toEqual(['Weather in Paris?']);
  });

  it('pairs tool calls with their results across exchanges, MCP included', async () => {
    const page = await open(await view(path.join(dir, 'mixed.rpk'), 'mixed'));
    await page.waitForSelector('.tool-call');
    expect(await seen(page.locator('.tool-call .link').first())).toBe('result in exchange #1');
    await page.keyboard.press('2');
    const rows = await texts(page, '#tl [role=option]');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/Bash.*#0 → #1/);
    expect(rows[1]).toMatch(/mcp__everything__echo.*MCP.*#2 → #2/);
    await page.waitForSelector('#detail section');
    expect(await seen(page.locator('#detail'))).toContain('README.md <img src=x');
  });

  it('highlights error.events, HTTP errors, interrupted streams and redaction markers', async () => {
    const page = await open(await view(path.join(dir, 'mixed.rpk'), 'mixed'));
    const flagged = await texts(page, '#ex [role=option].flagged .num');
    expect(flagged).toEqual(['#1', '#2']);
    await page.keyboard.press('4');
    const problems = await texts(page, '#pb [role=option] .badge');
    expect(problems).toEqual(['http', 'error.event', 'interrupted']);
    await page.keyboard.press('1');
    await page.keyboard.press('j');
    await page.waitForSelector('.error-body');
    expect(await page.locator('.problem').allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringContaining('upstream overloaded_error')]),
    );
    await page.keyboard.press('j');
    await page.waitForSelector('#stream.bad');
    expect(await seen(page.locator('#stream summary'))).toContain('interrupted (cut short)');
    await page.keyboard.press('r');
    await page.waitForSelector('#raw-request pre');
    expect(await texts(page, '#raw-request mark.redacted')).toEqual(['[REDACTED:def456]']);
  });

  it('shows agent events, and flags a synthetic run loudly', async () => {
    const page = await open(await view(path.join(dir, 'mixed.rpk'), 'mixed'));
    await page.keyboard.press('3');
    expect(await texts(page, '#ag [role=option] .ev')).toEqual([
      'item.completed',
      'turn.completed',
    ]);
    await page.waitForSelector('#detail pre');
    expect(await seen(page.locator('#detail pre'))).toContain('"agent_message"');
    expect(await page.locator('.banner.synthetic').count()).toBe(0);
    const synthetic = await open(await view(path.join(dir, 'synthetic.rpk'), 'synthetic'));
    expect(await seen(synthetic.locator('.banner.synthetic'))).toContain('SYNTHETIC RUN');
    expect(await texts(synthetic, '#ex [role=option] .badge')).toContain('synthetic');
  });

  it('steps a stream event by event and plays it at recorded pace', async () => {
    const page = await open(await view(path.join(dir, 'mixed.rpk'), 'mixed'));
    await page.waitForSelector('#stream');
    await page.keyboard.press('s');
    await page.waitForSelector('.player');
    const soFar = () => page.locator('.so-far pre.assembled:not(.reasoning-so-far)').textContent();
    expect(await soFar()).toBe('');
    for (let i = 0; i < 3; i++) await page.keyboard.press('.');
    expect(await seen(page.locator('.position'))).toBe('event 3 of 10');
    expect(await soFar()).toBe('Let me look. ');
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('button', { name: 'Play' }).click();
    await page.waitForFunction(
      () => document.querySelector('.position')?.textContent === 'event 10 of 10',
    );
    expect(await soFar()).toBe(`Let me look. ${HOSTILE.join(' ')}`);
  });

  it('keyboard: rows, tabs, details, help and theme', async () => {
    const page = await open(await view(GOLDEN, 'golden'), 'light');
    await page.locator('#ex').focus();
    const active = () => page.locator('#ex').getAttribute('aria-activedescendant');
    expect(await active()).toBe('ex-0');
    await page.keyboard.press('ArrowDown');
    expect(await active()).toBe('ex-1');
    await page.keyboard.press('End');
    expect(await active()).toBe('ex-3');
    await page.keyboard.press('k');
    expect(await active()).toBe('ex-2');
    expect(await page.locator('#ex-2').getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('detail');
    await page.keyboard.press('2');
    expect(await page.locator('#tab-tools').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('light');
    await page.keyboard.press('t');
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.keyboard.press('?');
    expect(await page.locator('#help').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.locator('#help').isVisible()).toBe(false);
  });

  it('escapes cassette text: hostile strings show as text and never run', async () => {
    const page = await open(await view(path.join(dir, 'mixed.rpk'), 'mixed'));
    for (const key of ['j', 'j', 'r', 's', '2', '3', '4', '1']) {
      await page.keyboard.press(key);
      await page.waitForTimeout(20);
    }
    await page.locator('#ex-0').click();
    await page.waitForSelector('.turn.system');
    expect(await seen(page.locator('.turn.system .text'))).toBe(
      `You are careful. ${HOSTILE.join(' ')}`.trim(),
    );
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('#app img, #app svg, #app a[href], #app script').count()).toBe(0);
  });

  it('shows any string a cassette holds exactly as text (property)', async () => {
    const strings = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), 60);
    strings.push(...HOSTILE, '</script>', ']]>', '\u2028\u2029', '$' + '{x}', '\\u003c');
    const rpk = path.join(dir, 'strings.rpk');
    const w = createCassetteWriter(rpk, {
      header: {
        run_id: 'strings',
        capture: 'sdk',
        response_source: 'live',
        tool: { name: 'replaykit', version: 'test' },
        redaction: { policy: 'off' },
      },
      replace: true,
    });
    w.append({
      type: 'model.request',
      correlation_id: 'c',
      provider: 'openai',
      endpoint: 'chat.completions',
      offset_ms: 0,
      method: 'POST',
      url: '/v1/chat/completions',
      transport: 'http',
      stream: false,
      model: 'gpt-4o',
      headers: {},
      body: {
        messages: strings.map((content, i) => ({
          role: i % 2 ? 'assistant' : 'user',
          content: `«${content}»`,
        })),
      },
    });
    w.close();
    const page = await open(await view(rpk, 'strings'));
    await page.waitForSelector('.turn');
    const shown = await page
      .locator('.turn .text')
      .evaluateAll((els) => els.map((e) => e.textContent));
    expect(shown).toEqual(strings.map((s) => `«${s}»`));
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
  });

  it('lets no request leave the page, even one its content tries to make', async () => {
    const o = await session.open(await view(GOLDEN, 'golden'));
    await o.page.waitForSelector('#app header');
    const attempt = await o.page.evaluate(async () => {
      const img = new Image();
      img.src = 'http://127.0.0.1:9/pixel.png';
      try {
        await fetch('http://127.0.0.1:9/data');
        return 'fetched';
      } catch {
        return 'refused';
      }
    });
    expect(attempt).toBe('refused');
    // The page's CSP stopped both before the network: the interceptor saw nothing.
    expect(o.requests).toEqual([]);
    expect(o.errors.join('\n')).toMatch(/Content Security Policy/);
    await o.page.close();
  });

  it('opens a large cassette without rendering every row, and decodes a chunk on demand', async () => {
    const rpk = path.join(dir, 'large.rpk');
    writeLargeStreamedCassette(rpk, 3000, 10);
    const page = await open(await view(rpk, 'large'));
    await page.waitForSelector('#ex [role=option]');
    expect(await page.locator('#ex [role=option]').count()).toBeLessThan(80);
    await page.locator('#ex').focus();
    await page.keyboard.press('End');
    await page.waitForFunction(() =>
      document.querySelector('#detail h2')?.textContent?.startsWith('Exchange #2999'),
    );
    await page.waitForSelector('.turn.user');
    expect(await seen(page.locator('.turn.user .text'))).toBe('question 2999');
    expect(await page.locator('#ex-2999').getAttribute('aria-selected')).toBe('true');
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`axe-core finds no serious accessibility violations (${theme})`, async () => {
      for (const file of [await view(path.join(dir, 'mixed.rpk'), 'mixed'), await diff('axe')]) {
        const page = await open(file, theme);
        await page.waitForSelector('.turn, .diff-ex');
        if (file.endsWith('mixed.html')) {
          await page.keyboard.press('s');
          await page.waitForSelector('.player');
        }
        await page.evaluate(AXE);
        const { violations, passes } = await page.evaluate(async () => {
          type Rule = { id: string; impact: string; nodes: { target: string[] }[] };
          const axe = (
            window as unknown as {
              axe: { run: (o: unknown) => Promise<{ violations: Rule[]; passes: Rule[] }> };
            }
          ).axe;
          const result = await axe.run({ resultTypes: ['violations', 'passes'] });
          return {
            passes: result.passes.length,
            violations: result.violations
              .filter((v) => v.impact === 'serious' || v.impact === 'critical')
              .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
          };
        });
        // axe ran its rules over the page (colour contrast, names, roles...), not over nothing.
        expect(passes).toBeGreaterThan(10);
        expect(violations).toEqual([]);
      }
    });
  }
});

async function diff(name: string): Promise<string> {
  const out = path.join(dir, `${name}-diff.html`);
  const r = await replaypack([
    'diff',
    path.join(dir, 'mixed.rpk'),
    path.join(dir, 'changed.rpk'),
    '--html',
    out,
  ]);
  expect(r.exitCode).toBe(1);
  return out;
}

describe('replaypack diff --html in a browser', () => {
  it('shows the first divergence, changed prompts as text diffs, tool changes and added exchanges', async () => {
    const page = await open(await diff('diff'));
    await page.waitForSelector('.diff-ex');
    expect(await seen(page.locator('#first-divergence code.path'))).toBe(
      'body.messages[0].content',
    );
    const statuses = await texts(page, '.diff-ex > summary .badge:first-child');
    expect(statuses).toEqual(['changed', 'changed', 'added', 'same']);
    expect(await page.locator('.diff-ex.first-divergence').count()).toBe(1);
    expect(await texts(page, '#dx-0 .turn.changed ins')).toEqual(['all ']);
    expect(await seen(page.locator('#dx-0 .tool-change.changed'))).toContain('"ls -la"');
    expect(await seen(page.locator('#dx-2'))).toContain('gemini generateContent');
    expect(await seen(page.locator('header'))).toMatch(/tokens\s+1240 → 1255 \(\+15\)/);
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
  });
});
