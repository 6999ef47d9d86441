/**
 * What listens on the upstream's port once it is stopped: any connection at all (HTTP, WebSocket
 * upgrade, TLS hello) is a hit, answered with a 503 and remembered, so a replay that reached the
 * network fails its test by name instead of passing on a lucky retry.
 */
import net from 'node:net';

export interface Tripwire {
  /** The first bytes of each connection (the request line for HTTP; `<binary>` for TLS). */
  readonly hits: string[];
  close(): Promise<void>;
}

export async function startTripwire(port: number): Promise<Tripwire> {
  const hits: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const index = hits.push('<connected, nothing sent>') - 1;
    socket.once('data', (data) => {
      const head = data.subarray(0, 120).toString('latin1');
      hits[index] = /^[A-Z]+ \S+ HTTP\/1/.test(head) ? (head.split('\r\n')[0] ?? head) : '<binary>';
      socket.end('HTTP/1.1 503 Tripwire\r\nconnection: close\r\ncontent-length: 8\r\n\r\ntripwire');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
