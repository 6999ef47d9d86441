/**
 * The TLS front door of transparent mode: redirected connections arrive here still encrypted for
 * `api.openai.com` (or another provider host). The front answers with a leaf certificate for the
 * name the client asked for (SNI), then hands the plaintext to the passive gateway over loopback,
 * so routing, forwarding, capture and redaction are exactly the passive listener's.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ExitCode, ReplayKitError } from '../errors.ts';
import type { LeafIssuer } from './ca.ts';

export interface TlsFrontOptions {
  issuer: LeafIssuer;
  /** The passive gateway's plain-HTTP port on 127.0.0.1. */
  gatewayPort: number;
  host?: string;
  port: number;
}

export interface TlsFront {
  readonly port: number;
  readonly connections: number;
  close(): Promise<void>;
}

export async function createTlsFront(options: TlsFrontOptions): Promise<TlsFront> {
  const contexts = new Map<string, tls.SecureContext>();
  const contextFor = (name: string) => {
    let context = contexts.get(name);
    if (!context) {
      context = tls.createSecureContext(options.issuer.forHost(name));
      contexts.set(name, context);
    }
    return context;
  };
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = tls.createServer(
    {
      // No default certificate: provider clients always send SNI (they connect by name), and
      // minting one here would put RSA key generation on every listener start.
      // HTTP/1.1 only: the gateway speaks HTTP/1.1, and clients fall back when h2 is not offered.
      ALPNProtocols: ['http/1.1'],
      SNICallback: (servername, done) => {
        try {
          done(null, contextFor(servername));
        } catch (error) {
          done(error as Error);
        }
      },
    },
    (client) => {
      connections++;
      const upstream = net.connect({ host: '127.0.0.1', port: options.gatewayPort });
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      sockets.add(client);
      sockets.add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.pipe(upstream);
      upstream.pipe(client);
    },
  );
  // A client that refuses our certificate (pinning, untrusted CA) only ends its own handshake.
  server.on('tlsClientError', () => {});
  await listen(server, options.host ?? '127.0.0.1', options.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function listen(server: tls.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new ReplayKitError(
          'E_PORT_BUSY',
          `Failed to start the transparent listener on ${host}:${port}: ${error.code ?? error.message}. Choose another --port, or pass --port 0 to pick a free one.`,
          { exitCode: ExitCode.environment, cause: error },
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
}
