/**
 * The fake upstream as a process, so it can run inside the test's network namespace
 * (`ip netns exec NS node fake-upstream-main.ts`). Prints `{"port":N}` once listening; exits when
 * its stdin closes (the test ended, whatever way) or on SIGTERM.
 */
import { startFakeUpstream } from '../../support/fake-upstream/index.ts';

const up = await startFakeUpstream({ websocket: false });
process.stdout.write(`${JSON.stringify({ port: up.port })}\n`);
const stop = () => void up.close().then(() => process.exit(0));
process.stdin.on('end', stop).on('close', stop).resume();
process.on('SIGTERM', stop);
