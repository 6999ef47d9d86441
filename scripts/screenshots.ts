/**
 * `npm run screenshots`: the pictures in docs/VIEWER.md, taken in headless chromium from pages the
 * real CLI writes (the golden SDK cassette, a run with every kind of problem, and a diff), so the
 * docs show what the current code renders. Writes docs/images/viewer-*.png.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../test/support/browser.ts';
import { replaypack } from '../test/support/cli.ts';
import { writeMixedCassette } from '../test/support/viewer-cassettes.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const images = path.join(root, 'docs/images');
const work = mkdtempSync(path.join(tmpdir(), 'replaykit-screenshots-'));
mkdirSync(images, { recursive: true });

async function cli(args: string[], cwd = root): Promise<void> {
  const r = await replaypack(args, { cwd });
  if (r.exitCode > 1) throw new Error(`replaypack ${args.join(' ')}: ${r.stderr}`);
}

const golden = path.join(work, 'golden.html');
await cli(['view', 'cassettes/golden/sdk-capture.rpk', '--out', golden]);
const mixedRpk = path.join(work, 'agent-run.rpk');
const changedRpk = path.join(work, 'agent-run-changed.rpk');
writeMixedCassette(mixedRpk);
writeMixedCassette(changedRpk, { changed: true });
const mixed = path.join(work, 'agent-run.html');
await cli(['view', 'agent-run.rpk', '--out', mixed], work);
const diff = path.join(work, 'diff.html');
await cli(['diff', 'agent-run.rpk', 'agent-run-changed.rpk', '--html', diff], work);

const session = await launch();
try {
  const shoot = async (
    file: string,
    name: string,
    theme: 'light' | 'dark',
    act: (page: Awaited<ReturnType<typeof session.open>>['page']) => Promise<void>,
  ) => {
    const { page } = await session.open(file, { theme });
    await page.waitForSelector('#app header');
    await act(page);
    const out = path.join(images, `${name}.png`);
    await page.screenshot({ path: out });
    await page.close();
    process.stdout.write(`${path.relative(root, out)}\n`);
  };
  await shoot(golden, 'viewer-conversation', 'light', async (page) => {
    await page.waitForSelector('.turn');
  });
  await shoot(mixed, 'viewer-stream', 'dark', async (page) => {
    await page.keyboard.press('s');
    await page.waitForSelector('.player');
    for (let i = 0; i < 4; i++) await page.keyboard.press('.');
    await page.locator('#stream').scrollIntoViewIfNeeded();
  });
  await shoot(mixed, 'viewer-problems', 'light', async (page) => {
    await page.keyboard.press('4');
    await page.waitForSelector('#pb [role=option]');
  });
  await shoot(mixed, 'viewer-tools', 'light', async (page) => {
    await page.keyboard.press('2');
    await page.waitForSelector('#detail section');
  });
  await shoot(diff, 'diff', 'light', async (page) => {
    await page.waitForSelector('.diff-ex');
  });
} finally {
  await session.close();
}
