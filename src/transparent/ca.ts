/**
 * The local certificate authority of transparent mode. Generated on first use into the state
 * directory; the private key is written once, mode 0600, and only ever read from that file by
 * the listener process (never copied, printed or logged). Certificates are issued with
 * node-forge: Node's crypto makes keys but cannot sign a certificate, and hand-written ASN.1 is
 * how certificate bugs happen.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { ReplayKitError } from '../errors.ts';

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';
const CA_NAME = 'ReplayKit transparent-mode local CA';

export interface CaInfo {
  /** The certificate clients trust (PEM). */
  path: string;
  /** The private key file (mode 0600). */
  key_path: string;
  /** SHA-256 of the DER certificate, colon-separated upper-case hex (as `openssl x509 -fingerprint`). */
  sha256: string;
  /** SHA-1 of the same: what macOS `security delete-certificate -Z` takes. */
  sha1: string;
}

export function caPaths(dir: string): { path: string; key_path: string } {
  return { path: join(dir, CA_CERT_FILE), key_path: join(dir, CA_KEY_FILE) };
}

/** The CA if it exists, without creating it (doctor and status never change the system). */
export function readCa(dir: string): CaInfo | null {
  const paths = caPaths(dir);
  if (!existsSync(paths.path) || !existsSync(paths.key_path)) return null;
  const cert = new X509Certificate(readFileSync(paths.path));
  return { ...paths, sha256: cert.fingerprint256, sha1: cert.fingerprint };
}

export function ensureCa(dir: string): CaInfo {
  const existing = readCa(dir);
  if (existing) return existing;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 2 * 365 * 24 * 3600_000);
  const subject = [
    { name: 'commonName', value: CA_NAME },
    { name: 'organizationName', value: 'ReplayKit (local, this machine only)' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  const paths = caPaths(dir);
  // 'wx': two first uses racing must not overwrite each other's key under a published cert.
  writeExclusive(paths.key_path, keyPem, 0o600);
  writeExclusive(paths.path, forge.pki.certificateToPem(cert), 0o644);
  const info = readCa(dir);
  if (!info) throw new Error('the CA files vanished right after they were written');
  return info;
}

function writeExclusive(path: string, text: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', mode);
  } catch (error) {
    throw new ReplayKitError(
      'E_CA_WRITE',
      `Failed to create the local CA "${path}": ${(error as NodeJS.ErrnoException).code ?? String(error)}. Remove the half-written CA files in that folder and start again.`,
      { cause: error },
    );
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function serial(): string {
  // Positive 16-byte serial: the top bit clear, so DER needs no sign byte.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

export interface LeafIssuer {
  /** PEM key + certificate for `host`, minted on first ask and cached. */
  forHost(host: string): { key: string; cert: string };
  readonly minted: number;
}

/** Loads the CA key from its file (the listener process only) and mints leaves by SNI. */
export function createLeafIssuer(dir: string): LeafIssuer {
  const paths = caPaths(dir);
  const caCert = forge.pki.certificateFromPem(readFileSync(paths.path, 'utf8'));
  const caKey = forge.pki.privateKeyFromPem(readFileSync(paths.key_path, 'utf8'));
  // One key for every leaf of this run: RSA generation is the slow part, and a leaf key never
  // leaves this process's memory.
  let leafKey: { pem: string; public: forge.pki.PublicKey } | undefined;
  const leafKeyPair = () => {
    if (!leafKey) {
      const leaf = generateKeyPairSync('rsa', { modulusLength: 2048 });
      leafKey = {
        pem: leaf.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        public: forge.pki.publicKeyFromPem(
          leaf.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        ),
      };
    }
    return leafKey;
  };
  // Strict verifiers (Python 3.13's VERIFY_X509_STRICT) refuse a leaf without it.
  const authorityKey = caCert.generateSubjectKeyIdentifier().getBytes();
  const cache = new Map<string, { key: string; cert: string }>();
  return {
    get minted() {
      return cache.size;
    },
    forHost(host) {
      const name = host.toLowerCase();
      const hit = cache.get(name);
      if (hit) return hit;
      const key = leafKeyPair();
      const cert = forge.pki.createCertificate();
      cert.publicKey = key.public;
      cert.serialNumber = serial();
      cert.validity.notBefore = new Date(Date.now() - 3600_000);
      // Under 398 days: Apple platforms refuse TLS server certificates valid for longer.
      cert.validity.notAfter = new Date(Date.now() + 300 * 24 * 3600_000);
      cert.setSubject([{ name: 'commonName', value: name }]);
      cert.setIssuer(caCert.subject.attributes);
      const isIp = /^[\d.]+$|:/.test(name);
      cert.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'authorityKeyIdentifier', keyIdentifier: authorityKey },
        {
          name: 'subjectAltName',
          altNames: [isIp ? { type: 7, ip: name } : { type: 2, value: name }],
        },
      ]);
      cert.sign(caKey, forge.md.sha256.create());
      const pair = { key: key.pem, cert: forge.pki.certificateToPem(cert) };
      cache.set(name, pair);
      return pair;
    },
  };
}
