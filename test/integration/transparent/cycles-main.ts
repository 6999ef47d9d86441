/**
 * Start/stop cycles inside the namespace through the library (one process, so 50 cycles do not
 * pay 100 CLI start-ups), each spawning and stopping the real listener and applying and removing
 * the real rules. Prints `{ cycles, running, stopped }`: how many starts were running with their
 * table applied, and how many stops undid every step.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { startTransparent, stopTransparent } from '../../../src/transparent/index.ts';
import { CLI_ENTRY } from '../../support/cli.ts';

const cycles = Number(process.argv[2] ?? 50);
let running = 0;
let stopped = 0;
for (let i = 0; i < cycles; i++) {
  const started = await startTransparent({
    hosts: ['api.openai.com', 'api.anthropic.com'],
    out: join(process.cwd(), 'out'),
    cliEntry: CLI_ENTRY,
  });
  const table = await execa('nft', ['list', 'table', 'ip', 'replaykit'], { reject: false });
  if (started.state === 'running' && table.exitCode === 0) running++;
  const result = await stopTransparent();
  if (result.ok && result.was === 'running') stopped++;
}
process.stdout.write(`${JSON.stringify({ cycles, running, stopped })}\n`);
