/**
 * Child process of the golden test (started with the network off): replays the golden SDK
 * workload from cassettes/golden/sdk-capture.rpk in strict replay mode and prints what the app
 * returned as one JSON line. The origin is a port nothing listens on: replay must not need it.
 */
import { fileURLToPath } from 'node:url';
import { record } from '../../src/index.ts';
import { sdkApp } from './sdk-app.ts';

const cassette = fileURLToPath(new URL('../../cassettes/golden/sdk-capture.rpk', import.meta.url));
const run = sdkApp('http://127.0.0.1:65000');
const result = await record({ cassette, mode: 'replay', strict: true, unhandled: 'error' }, run);
process.stdout.write(`${JSON.stringify({ value: result.value, exchanges: result.exchanges })}\n`);
