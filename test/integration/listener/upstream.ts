/**
 * A tiny loopback upstream for gateway tests: each test installs the handler it needs, and a
 * WebSocket endpoint echoes frames back with a prefix. Real sockets on 127.0.0.1, port 0.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestUpstream {
  url: string;
  received: Received[];
  handle(fn: (req: IncomingMessage, res: ServerResponse, body: string) => void): void;
  /** What WebSocket upgrade requests carried (headers), in order. */
  wsUpgrades: http.IncomingHttpHeaders[];
  /** Refuse the next upgrades with this status and body. */
  refuseUpgrade(status: number | null, body?: string): void;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<TestUpstream> {
  const received: Received[] = [];
  const wsUpgrades: http.IncomingHttpHeaders[] = [];
  let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void = (_q, res) => {
    res.writeHead(500).end('no handler');
  };
  let refusal: { status: number; body: string } | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    wsUpgrades.push(req.headers);
    if (refusal) {
      const body = Buffer.from(refusal.body);
      socket.end(
        `HTTP/1.1 ${refusal.status} Refused\r\ncontent-type: application/json\r\nx-request-id: req_refused\r\ncontent-length: ${body.length}\r\n\r\n${refusal.body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data, isBinary) => {
        const text = data.toString();
        if (text === 'close-me') return ws.close(4001, 'asked to close');
        ws.send(isBinary ? data : `echo:${text}`, { binary: isBinary });
        if (!isBinary) ws.send(JSON.stringify({ type: 'response.completed', n: received.length }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    wsUpgrades,
    handle(fn) {
      handler = fn;
    },
    refuseUpgrade(status, body = '') {
      refusal = status === null ? null : { status, body };
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
