/**
 * The docs cannot drift: every `sh` snippet of README.md and docs/PASSIVE_LISTENER.md runs here,
 * in order, in bash, in a sandbox (its own REPLAYKIT_HOME, HOME and working directory). Only the
 * outside world is stood in for, through PATH:
 * - `replaypack` runs the CLI from source; `listen start` forwards to the loopback fake upstream
 *   instead of the real providers (the one argument it adds: `--upstream` for all three).
 * - `npx replaypack` is `replaypack` (nothing is fetched from the registry).
 * - `claude` is the real Claude Code when `npm ci --prefix test/agents` installed it, else a
 *   small script sending what it sends (a HEAD probe, then a streamed `POST /v1/messages`).
 * - `node my-agent.js` is a file in the working directory calling the Responses API.
 * Every command of a snippet must succeed (`set -e`); an `exit N` marker expects its failing
 * command last. Snippets marked `<!-- docs-test: illustrative -->` are listed as skipped (see
 * ./snippets.ts). Windows runs the same CLI in the other suites; these
 * snippets are POSIX shell, so this file runs on Linux and macOS.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI_ENTRY } from '../support/cli.ts';
import { type FakeUpstream, startFakeUpstream } from '../support/fake-upstream/index.ts';
import { extractSnippets } from './snippets.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const REAL_CLAUDE = join(root, 'test/agents/node_modules/.bin/claude');
const DOCS = ['README.md', 'docs/PASSIVE_LISTENER.md'];

const REPLAYPACK = `#!/bin/sh
if [ "$1" = listen ] && [ "$2" = start ]; then
  shift 2
  exec "$DOCS_NODE" "$DOCS_CLI" listen start --upstream "openai=$DOCS_FAKE" \\
    --upstream "anthropic=$DOCS_FAKE" --upstream "gemini=$DOCS_FAKE" "$@"
fi
exec "$DOCS_NODE" "$DOCS_CLI" "$@"
`;
const NPX = `#!/bin/sh
if [ "$1" = replaypack ]; then shift; exec replaypack "$@"; fi
echo "docs test: npx $1 is not available in the sandbox" >&2; exit 127
`;
const CLAUDE_STAND_IN = `#!/usr/bin/env node
const base = process.env.ANTHROPIC_BASE_URL;
const headers = { 'x-api-key': process.env.ANTHROPIC_API_KEY, 'anthropic-version': '2023-06-01',
  'content-type': 'application/json' };
await fetch(base + '/', { method: 'HEAD' });
const r = await fetch(base + '/v1/messages?beta=true', { method: 'POST', headers, body: JSON.stringify(
  { model: 'claude-sonnet-4-6', max_tokens: 64, stream: true, messages: [{ role: 'user', content: process.argv[3] }] }) });
if (!r.ok) { console.error(await r.text()); process.exit(1); }
console.log(await r.text());
`;
const MY_AGENT = `const r = await fetch(process.env.OPENAI_BASE_URL + '/responses', {
  method: 'POST',
  headers: { authorization: 'Bearer ' + process.env.OPENAI_API_KEY, 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'gpt-5-mini', input: 'hi' }),
});
if (!r.ok) throw new Error(await r.text());
console.log((await r.json()).output[0].content[0].text);
`;

let up: FakeUpstream;
let env: Record<string, string>;
let cwd: string;

beforeAll(async () => {
  up = await startFakeUpstream();
  const sandbox = mkdtempSync(join(tmpdir(), 'rk-docs-'));
  const bin = join(sandbox, 'bin');
  cwd = join(sandbox, 'project');
  for (const d of [bin, cwd, join(sandbox, 'home')]) mkdirSync(d, { recursive: true });
  const tools: Record<string, string> = { replaypack: REPLAYPACK, npx: NPX };
  if (!existsSync(REAL_CLAUDE)) tools.claude = CLAUDE_STAND_IN;
  for (const [name, text] of Object.entries(tools)) {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  }
  writeFileSync(join(cwd, 'my-agent.js'), MY_AGENT);
  const claudeDir = existsSync(REAL_CLAUDE) ? [dirname(REAL_CLAUDE)] : [];
  env = {
    PATH: [bin, ...claudeDir, dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
    HOME: join(sandbox, 'home'),
    REPLAYKIT_HOME: join(sandbox, 'state'),
    DOCS_NODE: process.execPath,
    DOCS_CLI: CLI_ENTRY,
    DOCS_FAKE: up.url,
    OPENAI_API_KEY: 'sk-test-FAKE',
    ANTHROPIC_API_KEY: 'sk-ant-test-FAKE',
    NO_COLOR: '1',
  };
});

afterAll(async () => {
  if (env) await execa('replaypack', ['listen', 'stop'], { env, cwd, reject: false });
  await up?.close();
});

describe.skipIf(process.platform === 'win32')('docs snippets run as written', () => {
  for (const doc of DOCS) {
    const snippets = extractSnippets(doc, readFileSync(join(root, doc), 'utf8'));

    test(`${doc} has snippets that run`, () => {
      expect(snippets.filter((s) => !s.illustrative && !s.consumer).length).toBeGreaterThan(0);
    });

    for (const s of snippets) {
      const name = `${s.file}:${s.line}: ${s.code.split('\n')[0]}`;
      // The consumer path runs in a fresh project with the packed tarball (readme-consumer.test.ts).
      test.skipIf(s.illustrative || s.consumer)(
        name,
        async () => {
          const r = await execa('bash', ['-c', `set -euo pipefail\n${s.code}`], {
            cwd,
            env,
            extendEnv: false,
            reject: false,
            stdin: 'ignore',
            timeout: 90_000,
          });
          expect(r.exitCode, `${name}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(
            s.exit,
          );
        },
        120_000,
      );
    }

    test(`${doc} leaves no listener running`, async () => {
      const r = await execa('replaypack', ['listen', 'status', '--json'], {
        env,
        cwd,
        reject: false,
      });
      expect(JSON.parse(String(r.stdout)).status).toBe('stopped');
    });
  }
});
