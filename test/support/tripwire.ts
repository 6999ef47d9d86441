/**
 * A server that must never be reached: started on a stopped upstream's port during replay, it
 * answers every request (and WebSocket upgrade) with a 599 and remembers it, so a test can assert
 * that replay sent nothing to the network.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Tripwire {
  /** The port it listens on (the one asked for, or a free one for 0). */
  readonly port: number;
  /** `METHOD url` of every request that reached it. */
  readonly hits: string[];
  close(): Promise<void>;
}

export async function startTripwire(port: number): Promise<Tripwire> {
  const hits: string[] = [];
  const sockets = new Set<Socket>();
  const note = (req: IncomingMessage) => hits.push(`${req.method} ${req.url}`);
  const server = createServer((req, res) => {
    note(req);
    req.resume();
    res
      .writeHead(599, { 'content-type': 'text/plain' })
      .end('tripwire: replay reached the network');
  });
  server.on('upgrade', (req, socket: Socket) => {
    note(req);
    socket.destroy();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
