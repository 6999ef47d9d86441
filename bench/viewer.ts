/**
 * Issue 19's performance goals for the viewer, measured (never asserted): the HTML for a
 * 10,000-exchange cassette written in under 3 s; the page at first paint in under 2 s in headless
 * chromium; scrolling the timeline smooth (frame times while it scrolls). One JSON line.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeViewer } from '../src/viewer/index.ts';
import { hasChromium, launch } from '../test/support/browser.ts';
import { writeLargeStreamedCassette } from '../test/support/viewer-cassettes.ts';

const count = Number(process.env.BENCH_VIEWER_EXCHANGES ?? 10_000);
const dir = mkdtempSync(path.join(tmpdir(), 'replaykit-bench-viewer-'));
try {
  const rpk = path.join(dir, 'large.rpk');
  writeLargeStreamedCassette(rpk, count, 20);
  const started = performance.now();
  const written = await writeViewer(rpk, { out: path.join(dir, 'large.html') });
  const writeMs = performance.now() - started;
  const row: Record<string, unknown> = {
    exchanges: written.exchanges,
    cassette_mb: +(statSync(rpk).size / 1e6).toFixed(1),
    html_mb: +(written.bytes / 1e6).toFixed(1),
    write_ms: Math.round(writeMs),
  };
  if (hasChromium()) {
    const session = await launch();
    try {
      const { page } = await session.open(written.out);
      await page.waitForSelector('#ex [role=option]');
      const paint = await page.evaluate(() => {
        const entries = performance.getEntriesByType('paint');
        const fcp = entries.find((e) => e.name === 'first-contentful-paint');
        return { fcp: fcp?.startTime ?? null, rows: performance.now() };
      });
      row.first_paint_ms = paint.fcp === null ? null : Math.round(paint.fcp);
      row.rows_ms = Math.round(paint.rows);
      // Scroll the timeline 120 frames, 900 px a frame, and time the frames.
      const frames = await page.evaluate(
        () =>
          new Promise<number[]>((resolve) => {
            const list = document.getElementById('ex')!;
            const times: number[] = [];
            let last = performance.now();
            const tick = (now: number) => {
              times.push(now - last);
              last = now;
              list.scrollTop += 900;
              if (times.length < 120) requestAnimationFrame(tick);
              else resolve(times.slice(1));
            };
            requestAnimationFrame(tick);
          }),
      );
      const sorted = [...frames].sort((a, b) => a - b);
      row.scroll_frame_ms = {
        median: +sorted[Math.floor(sorted.length / 2)]!.toFixed(1),
        p95: +sorted[Math.floor(sorted.length * 0.95)]!.toFixed(1),
        max: +sorted.at(-1)!.toFixed(1),
      };
      row.dom_rows = await page.locator('#ex [role=option]').count();
    } finally {
      await session.close();
    }
  } else row.browser = 'chromium not installed: no first-paint figure';
  process.stdout.write(`${JSON.stringify(row)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
