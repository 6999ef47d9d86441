/**
 * `npm run demo` is the README's promise to a newcomer: it must pass offline on a fresh checkout,
 * tell the story in plain text when piped, and leave no listener behind.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { replaypack } from '../../support/cli.ts';

const DEMO = fileURLToPath(new URL('../../../scripts/demo.ts', import.meta.url));

test('the demo runs the golden path offline, prints every step, leaves nothing running', async () => {
  const r = await execa(process.execPath, [DEMO], { reject: false, env: { NO_COLOR: '1' } });
  expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
  for (const name of ['listen', 'app', 'stop', 'inspect', 'replay', 'assert', 'view']) {
    expect(r.stdout).toMatch(new RegExp(`✔ ${name} `));
  }
  expect(r.stdout).not.toContain('✘');
  expect(r.stdout).toContain('get_weather({"city":"Paris"})');
  expect(r.stdout).toContain('"It is 11 °C in Paris with light rain. Take an umbrella."');
  // A viewer page a newcomer can open, for this run, each golden cassette and the demo one.
  for (const name of ['sdk-capture', 'agent-claude-code', 'openai-chat-stream']) {
    const url = new RegExp(`view ${name}\\.rpk\\s+(file://\\S+\\.html)`).exec(r.stdout)?.[1];
    expect(url, r.stdout).toBeDefined();
    expect(readFileSync(fileURLToPath(url!), 'utf8')).toContain('id="rk-data"');
  }
  // Piped output is plain text: no ANSI escapes.
  expect(r.stdout).not.toContain('\u001b[');
  const work = /work directory (\S+)/.exec(r.stdout)?.[1];
  expect(work).toBeTruthy();
  const status = await replaypack(['listen', 'status', '--json'], {
    env: { REPLAYKIT_HOME: join(work ?? '', 'home') },
  });
  expect(JSON.parse(status.stdout).status).toBe('stopped');
  // The demo starts a listener, an app, the CLI five times and builds viewer pages: on a loaded
  // 2-core CI machine that passed 30 s. This bounds a hang, it does not measure speed (bench/ does).
}, 180_000);
