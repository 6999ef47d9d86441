/**
 * The local CA and the TLS front: the key file is 0600 and made once, leaves are minted by SNI,
 * verified by the CA, cached, and strict enough for strict verifiers; a client that does not
 * trust the CA gets no connection; the plaintext reaches the gateway unchanged.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { execa } from 'execa';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeafIssuer, ensureCa, readCa } from '../../../src/transparent/ca.ts';
import { createTlsFront, type TlsFront } from '../../../src/transparent/tls-front.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rk-ca-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local CA', () => {
  it('is created on first use with its key mode 0600, and reused afterwards', () => {
    expect(readCa(dir)).toBeNull();
    const ca = ensureCa(dir);
    expect(statSync(ca.key_path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const cert = new X509Certificate(readFileSync(ca.path));
    expect(cert.ca).toBe(true);
    expect(ca.sha256).toBe(cert.fingerprint256);
    const key = readFileSync(ca.key_path, 'utf8');
    const again = ensureCa(dir);
    expect(again.sha256).toBe(ca.sha256);
    expect(readFileSync(ca.key_path, 'utf8')).toBe(key);
    // The certificate file holds no key material.
    expect(readFileSync(ca.path, 'utf8')).not.toContain('PRIVATE KEY');
  });

  it('mints one leaf per host name, verified by the CA, cached, and valid under x509_strict', async () => {
    const ca = ensureCa(dir);
    const issuer = createLeafIssuer(dir);
    const caCert = new X509Certificate(readFileSync(ca.path));
    fc.assert(
      fc.property(
        fc.constantFrom(
          'api.openai.com',
          'API.Anthropic.com',
          'generativelanguage.googleapis.com',
          '10.0.0.1',
        ),
        (host) => {
          const leaf = issuer.forHost(host);
          const cert = new X509Certificate(leaf.cert);
          expect(cert.verify(caCert.publicKey)).toBe(true);
          expect(cert.checkIssued(caCert)).toBe(true);
          expect(cert.checkHost(host.toLowerCase()) ?? cert.checkIP(host)).toBeTruthy();
          expect(issuer.forHost(host.toUpperCase()).cert).toBe(leaf.cert);
        },
      ),
    );
    expect(issuer.minted).toBe(4);
    const leafPath = join(dir, 'leaf.pem');
    writeFileSync(leafPath, issuer.forHost('api.openai.com').cert);
    const strict = await execa(
      'openssl',
      ['verify', '-x509_strict', '-CAfile', ca.path, leafPath],
      {
        reject: false,
      },
    );
    expect(`${strict.stdout}${strict.stderr}`).toContain(': OK');
  });
});

describe('TLS front', () => {
  let gateway: http.Server;
  let front: TlsFront;
  const seen: { host?: string; url?: string; body: string }[] = [];
  beforeAll(async () => {
    ensureCa(dir);
    gateway = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ host: req.headers.host, url: req.url, body });
        res.end('from the gateway');
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const gatewayPort = (gateway.address() as { port: number }).port;
    front = await createTlsFront({ issuer: createLeafIssuer(dir), gatewayPort, port: 0 });
  });
  afterAll(async () => {
    await front.close();
    gateway.close();
  });

  const request = (servername: string, ca: string | undefined) =>
    new Promise<{ status: number; body: string; cert: tls.PeerCertificate }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: front.port,
          method: 'POST',
          path: '/v1/chat/completions',
          headers: { host: servername },
          createConnection: () =>
            tls.connect({ host: '127.0.0.1', port: front.port, servername, ...(ca ? { ca } : {}) }),
        },
        (res) => {
          let body = '';
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              cert: (res.socket as tls.TLSSocket).getPeerCertificate(),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end('{"model":"gpt-4o"}');
    });

  it('answers with a certificate for the SNI name and hands the plaintext to the gateway', async () => {
    const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const openai = await request('api.openai.com', ca);
    expect(openai).toMatchObject({ status: 200, body: 'from the gateway' });
    expect(openai.cert.subjectaltname).toBe('DNS:api.openai.com');
    const anthropic = await request('api.anthropic.com', ca);
    expect(anthropic.cert.subjectaltname).toBe('DNS:api.anthropic.com');
    // Cached: the same host gets the same certificate.
    expect((await request('api.openai.com', ca)).cert.serialNumber).toBe(openai.cert.serialNumber);
    expect(seen).toEqual([
      { host: 'api.openai.com', url: '/v1/chat/completions', body: '{"model":"gpt-4o"}' },
      { host: 'api.anthropic.com', url: '/v1/chat/completions', body: '{"model":"gpt-4o"}' },
      { host: 'api.openai.com', url: '/v1/chat/completions', body: '{"model":"gpt-4o"}' },
    ]);
  });

  it('a client that does not trust the CA gets no connection, and nothing reaches the gateway', async () => {
    const before = seen.length;
    await expect(request('api.openai.com', undefined)).rejects.toThrow(/certificate/);
    expect(seen.length).toBe(before);
  });
});
