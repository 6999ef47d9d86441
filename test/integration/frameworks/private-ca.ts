/**
 * A private CA and a server certificate for 127.0.0.1, made fresh per test run (nothing committed),
 * so the `node:https` scenario trusts exactly this CA through the Agent's `ca` and nothing else.
 * node-forge builds the certificates: node's crypto makes keys but cannot issue an X.509 cert.
 */
import forge from 'node-forge';

export interface PrivateCa {
  /** PEM of the CA certificate: what the client trusts. */
  ca: string;
  /** PEM key and certificate for the server on 127.0.0.1, issued by the CA. */
  key: string;
  cert: string;
}

const { pki } = forge;

function issue(
  subject: string,
  publicKey: forge.pki.rsa.PublicKey,
  issuer: { name: string; key: forge.pki.rsa.PrivateKey },
  extensions: object[],
  serial: string,
): forge.pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer([{ name: 'commonName', value: issuer.name }]);
  cert.setExtensions(extensions);
  cert.sign(issuer.key, forge.md.sha256.create());
  return cert;
}

export function createPrivateCa(): PrivateCa {
  const caKeys = pki.rsa.generateKeyPair(2048);
  const caName = 'ReplayKit test CA';
  const caCert = issue(
    caName,
    caKeys.publicKey,
    { name: caName, key: caKeys.privateKey },
    [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
    '01',
  );
  const keys = pki.rsa.generateKeyPair(2048);
  const cert = issue(
    '127.0.0.1',
    keys.publicKey,
    { name: caName, key: caKeys.privateKey },
    [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
    '02',
  );
  return {
    ca: pki.certificateToPem(caCert),
    key: pki.privateKeyToPem(keys.privateKey),
    cert: pki.certificateToPem(cert),
  };
}
