/**
 * A private CA and a server certificate for 127.0.0.1, made fresh per test run (nothing committed),
 * so the `node:https` scenario trusts exactly this CA through the Agent's `ca` and nothing else.
 * mkcert (node-forge underneath) issues them: node's crypto makes keys but cannot issue a cert.
 */
import { createCA, createCert } from 'mkcert';

export interface PrivateCa {
  /** PEM of the CA certificate: what the client trusts. */
  ca: string;
  /** PEM key and certificate for the server on 127.0.0.1, issued by the CA. */
  key: string;
  cert: string;
}

export async function createPrivateCa(): Promise<PrivateCa> {
  const ca = await createCA({
    organization: 'ReplayKit test CA',
    countryCode: 'NO',
    state: 'Oslo',
    locality: 'Oslo',
    validity: 1,
  });
  const { key, cert } = await createCert({ ca, domains: ['127.0.0.1'], validity: 1 });
  return { ca: ca.cert, key, cert };
}
