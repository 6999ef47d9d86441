/**
 * Headless Chromium (Debian's `chromium` package) driven by playwright-core, for the viewer's
 * browser tests, screenshots and bench. Every request the page makes is intercepted and refused,
 * and recorded, so a test can assert that nothing left the page.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.REPLAYKIT_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = () => existsSync(CHROMIUM);

export interface OpenedPage {
  page: Page;
  /** Every URL the page tried to load besides the file itself (each one refused). */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

export interface Session {
  browser: Browser;
  context: BrowserContext;
  open(file: string, options?: { theme?: 'light' | 'dark' }): Promise<OpenedPage>;
  close(): Promise<void>;
}

export async function launch(): Promise<Session> {
  // A fresh profile per launch: nothing from an earlier run (storage, cache) can leak in.
  const profile = mkdtempSync(path.join(tmpdir(), 'replaykit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  const browser = context.browser() as Browser;
  return {
    browser,
    context,
    async open(file, options = {}) {
      const page = await context.newPage();
      if (options.theme) await page.emulateMedia({ colorScheme: options.theme });
      const requests: string[] = [];
      const errors: string[] = [];
      const self = `file://${path.resolve(file)}`;
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url === self) return route.continue();
        requests.push(url);
        return route.abort();
      });
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(self);
      return { page, requests, errors };
    },
    async close() {
      await context.close();
    },
  };
}
