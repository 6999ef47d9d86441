/**
 * The fake upstream as a process, so it can run inside the test's network namespace
 * (`ip netns exec NS node fake-upstream-main.ts`). With FAKE_TLS_DIR it plays the real provider
 * hosts: HTTPS on FAKE_HOST:443 with a certificate for api.openai.com and api.anthropic.com from
 * its own CA (written to FAKE_TLS_DIR/upstream-ca.pem for the listener to trust). Prints
 * `{"port":N}` once listening; exits when its stdin closes (the test ended, whatever way).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, createCert } from 'mkcert';
import { startFakeUpstream } from '../../support/fake-upstream/index.ts';

const tlsDir = process.env.FAKE_TLS_DIR;
let tls: { key: string; cert: string } | undefined;
if (tlsDir) {
  const ca = await createCA({
    organization: 'Fake provider CA',
    countryCode: 'NO',
    state: 'Oslo',
    locality: 'Oslo',
    validity: 1,
  });
  tls = await createCert({ ca, domains: ['api.openai.com', 'api.anthropic.com'], validity: 1 });
  writeFileSync(join(tlsDir, 'upstream-ca.pem'), ca.cert);
}
const up = await startFakeUpstream({
  websocket: process.env.FAKE_WEBSOCKET === '1',
  host: process.env.FAKE_HOST ?? '127.0.0.1',
  port: Number(process.env.FAKE_PORT ?? 0),
  ...(tls ? { tls } : {}),
});
process.stdout.write(`${JSON.stringify({ port: up.port })}\n`);
const stop = () => void up.close().then(() => process.exit(0));
process.stdin.on('end', stop).on('close', stop).resume();
process.on('SIGTERM', stop);
