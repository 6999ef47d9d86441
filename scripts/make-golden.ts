/**
 * Regenerates cassettes/golden/: the golden-path artifacts that CI replays with the network off
 * and whose canonical hashes test/golden/golden.test.ts pins.
 *
 *   npm run golden                      # both
 *   npm run golden -- sdk               # in-process SDK capture only
 *   npm run golden -- claude-code       # passive capture of the real Claude Code only
 *
 * - sdk-capture.rpk: `record()` around the three real SDKs (test/golden/sdk-app.ts), plus
 *   sdk-capture.expected.json, what the app returned while recording.
 * - agent-claude-code.rpk: the real `claude -p` (installed by `npm ci --prefix test/agents`)
 *   through a detached `replaypack listen` listener: a Bash tool_use round trip.
 * Both run against the loopback fake upstream, so the answers are deterministic; after a change
 * on purpose, regenerate and update the pinned hashes in the test (it prints the new ones).
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { record } from '../src/index.ts';
import { hashSteps } from '../src/pipeline/canonical.ts';
import { loadCassette } from '../src/pipeline/cassette.ts';
import { SDK_APP_REPLIES, sdkApp } from '../test/golden/sdk-app.ts';
import { replaypack } from '../test/support/cli.ts';
import { type Reply, startFakeUpstream } from '../test/support/fake-upstream/index.ts';

const dir = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const GOLDEN = dir('../cassettes/golden/');
const CLAUDE = join(
  dir('../test/agents/node_modules/.bin/'),
  process.platform === 'win32' ? 'claude.cmd' : 'claude',
);
const wanted = process.argv.slice(2);
const want = (name: string) => wanted.length === 0 || wanted.includes(name);

async function report(file: string) {
  const { steps } = await loadCassette(file);
  process.stdout.write(
    `wrote ${file}: ${steps.length} steps, canonical hash ${hashSteps(steps)}\n`,
  );
}

async function sdk() {
  const up = await startFakeUpstream();
  up.enqueue(...(SDK_APP_REPLIES as unknown as Reply[]));
  const cassette = join(GOLDEN, 'sdk-capture.rpk');
  const run = sdkApp(up.url);
  try {
    const { value } = await record(
      {
        cassette,
        mode: 'record',
        meta: { golden: 'sdk-capture', generator: 'scripts/make-golden.ts' },
      },
      run,
    );
    writeFileSync(join(GOLDEN, 'sdk-capture.expected.json'), `${JSON.stringify(value, null, 2)}\n`);
  } finally {
    await up.close();
  }
  await report(cassette);
}

async function claudeCode() {
  if (!existsSync(CLAUDE))
    throw new Error(`${CLAUDE} is missing: run "npm ci --prefix test/agents" first`);
  const up = await startFakeUpstream();
  // The first turn asks for Bash; once the tool result comes back, the model answers.
  up.reply((req) => {
    if (req.endpoint !== 'messages') return undefined;
    const text = req.bodyText;
    if (text.includes('"tool_result"'))
      return { kind: 'text', text: 'The command printed: golden.' };
    return {
      kind: 'tool',
      calls: [{ name: 'Bash', arguments: { command: 'echo golden', description: 'Print a word' } }],
    };
  });
  // A fixed working directory: Claude Code puts its cwd into the system prompt, so a random one
  // would change the canonical hash on every regeneration.
  const work = join(tmpdir(), 'replaykit-golden-claude-code');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const env = { REPLAYKIT_HOME: join(work, 'state') };
  try {
    const start = await replaypack(
      [
        'listen',
        'start',
        '--port',
        '0',
        '--out',
        join(work, 'out'),
        '--upstream',
        `anthropic=${up.url}`,
        '--json',
      ],
      { env },
    );
    if (start.exitCode !== 0) throw new Error(start.stderr);
    const { url } = JSON.parse(start.stdout) as { url: string };
    const agent = await execa(
      CLAUDE,
      ['-p', 'Run: echo golden', '--allowedTools', 'Bash', '--output-format', 'json'],
      {
        cwd: work,
        stdin: 'ignore',
        reject: false,
        timeout: 120_000,
        env: {
          HOME: join(work, 'home'),
          ANTHROPIC_BASE_URL: url,
          ANTHROPIC_API_KEY: 'sk-ant-test-FAKE',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        },
      },
    );
    const stop = await replaypack(['listen', 'stop', '--json'], { env });
    if (agent.exitCode !== 0)
      throw new Error(`claude failed (${agent.exitCode}): ${agent.stderr}${agent.stdout}`);
    const artifact = (JSON.parse(stop.stdout) as { artifacts: string[] }).artifacts[0];
    if (!artifact) throw new Error(`the listener wrote no artifact: ${stop.stdout}${stop.stderr}`);
    const target = join(GOLDEN, 'agent-claude-code.rpk');
    copyFileSync(artifact, target);
    await report(target);
  } finally {
    await replaypack(['listen', 'stop'], { env });
    await up.close();
  }
}

if (want('sdk')) await sdk();
if (want('claude-code')) await claudeCode();
