/**
 * Traffic replaykit does not capture, one case per client family (issue 21): each case talks to
 * a real loopback server and resolves to the text that server answered. The bystander matrix
 * (test/integration/capture/bystanders.test.ts) runs every case before, during and after
 * `record()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createCA, createCert } from 'mkcert';
import { Agent, Dispatcher, Pool, ProxyAgent, request } from 'undici';
import { WebSocketServer, WebSocket as WsClient } from 'ws';

export interface Bystander {
  name: string;
  /** Resolves to what the server answered. */
  call(): Promise<string>;
  expected: string;
  /**
   * Why this case is left out while a recording is active (a known limit, docs/INTEGRATIONS.md);
   * it still runs before and after.
   */
  notDuringRecord?: string;
}

export interface Bystanders {
  cases: Bystander[];
  /** A private CA and a certificate for 127.0.0.1 signed by it (for HTTP/2 over TLS). */
  tls: { ca: string; key: string; cert: string };
  /** How many CONNECT tunnels the loopback proxy opened (ProxyAgent must really use it). */
  tunnels(): number;
  close(): Promise<void>;
}

const listen = async <S extends net.Server>(server: S, where: string | number = 0) => {
  await new Promise<void>((resolve) =>
    typeof where === 'string'
      ? server.listen(where, resolve)
      : server.listen(where, '127.0.0.1', resolve),
  );
  return server;
};
const portOf = (server: net.Server) => (server.address() as AddressInfo).port;
const closeServer = (server: net.Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });

const readAll = async (stream: AsyncIterable<Buffer | string>) => {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
};

/** An HTTP/1.1 server answering `<label> <METHOD> <path>`. */
const plain = (label: string) =>
  http.createServer((req: IncomingMessage, res: ServerResponse) => {
    res.end(`${label} ${req.method} ${req.url}`);
  });

/** A plain CONNECT proxy: the way undici's ProxyAgent reaches its target. */
function connectProxy(onTunnel: () => void): http.Server {
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req: IncomingMessage, client: net.Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      onTunnel();
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return proxy;
}

function h2Get(url: string, options: http2.SecureClientSessionOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, options);
    session.on('error', reject);
    const req = session.request({ ':path': '/h2' });
    req.on('error', reject);
    readAll(req).then((text) => {
      const alpn = (session.socket as { alpnProtocol?: string | false } | undefined)?.alpnProtocol;
      session.close();
      resolve(alpn ? `${text} alpn=${alpn}` : text);
    }, reject);
  });
}

const echoService = {
  echo: {
    path: '/replaykit.test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (bytes: Buffer) => bytes,
  },
} satisfies grpc.ServiceDefinition;

function grpcEcho(target: string, text: string): Promise<string> {
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  return new Promise<string>((resolve, reject) => {
    client.makeUnaryRequest(
      echoService.echo.path,
      echoService.echo.requestSerialize,
      echoService.echo.responseDeserialize,
      Buffer.from(text),
      (error, value) => (error ? reject(error) : resolve(value!.toString())),
    );
  }).finally(() => client.close());
}

/** A dispatcher of the user's own, wrapping another: it tags every request it sends. */
class TaggingDispatcher extends Dispatcher {
  readonly #inner: Dispatcher;
  constructor(inner: Dispatcher) {
    super();
    this.#inner = inner;
  }
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
    return this.#inner.dispatch({ ...options, path: `${options.path}?tagged=1` }, handler);
  }
  override close() {
    return this.#inner.close();
  }
}

function wsEcho(url: string, text: string, client: 'ws' | 'global'): Promise<string> {
  return new Promise((resolve, reject) => {
    if (client === 'ws') {
      const socket = new WsClient(url);
      socket.on('open', () => socket.send(text));
      socket.on('message', (data) => {
        socket.close();
        resolve(data.toString());
      });
      socket.on('error', reject);
      return;
    }
    const socket = new WebSocket(url);
    socket.addEventListener('open', () => socket.send(text));
    socket.addEventListener('message', (event) => {
      socket.close();
      resolve(String(event.data));
    });
    socket.addEventListener('error', () => reject(new Error(`WebSocket to ${url} failed`)));
  });
}

export async function startBystanders(): Promise<Bystanders> {
  const ca = await createCA({
    organization: 'replaykit test CA',
    countryCode: 'NL',
    state: 'test',
    locality: 'test',
    validity: 2,
  });
  const leaf = await createCert({ ca, domains: ['127.0.0.1', 'localhost'], validity: 2 });
  const tls = { ca: ca.cert, key: leaf.key, cert: leaf.cert };

  const h2c = await listen(http2.createServer((_req, res) => res.end('h2c ok')));
  const h2s = await listen(
    http2.createSecureServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.end('h2 tls ok')),
  );

  const grpcServer = new grpc.Server();
  grpcServer.addService(echoService, {
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) =>
      done(null, Buffer.concat([Buffer.from('grpc echo '), call.request])),
  });
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) =>
      e ? reject(e) : resolve(port),
    ),
  );

  const web = await listen(plain('http1'));
  const webUrl = `http://127.0.0.1:${portOf(web)}`;
  let tunnels = 0;
  const proxy = await listen(connectProxy(() => tunnels++));

  const ws = await listen(http.createServer());
  const wss = new WebSocketServer({ server: ws });
  wss.on('connection', (socket) => socket.on('message', (d) => socket.send(`ws echo ${d}`)));
  const wsUrl = `ws://127.0.0.1:${portOf(ws)}/socket`;

  const dir = mkdtempSync(path.join(tmpdir(), 'rk-bystanders-'));
  // Windows has no Unix sockets but named pipes, which node:http takes the same way.
  const socketPath =
    process.platform === 'win32'
      ? `\\\\?\\pipe\\rk-bystanders-${process.pid}`
      : path.join(dir, 'http.sock');
  const unix = await listen(plain('unix'), socketPath);

  // Opened now, before any record(): these keep their sockets across every phase.
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const pool = new Pool(webUrl, { connections: 1 });
  const agent = new Agent();
  const tagging = new TaggingDispatcher(new Agent());

  const httpGet = (url: string, options: http.RequestOptions = {}) =>
    new Promise<string>((resolve, reject) => {
      http.get(url, options, (res) => readAll(res).then(resolve, reject)).on('error', reject);
    });
  const body = async (response: Promise<Dispatcher.ResponseData>) => (await response).body.text();

  const cases: Bystander[] = [
    {
      name: 'node:http2 cleartext',
      call: () => h2Get(`http://127.0.0.1:${portOf(h2c)}`),
      expected: 'h2c ok',
    },
    {
      name: 'node:http2 over TLS (ALPN h2)',
      call: () => h2Get(`https://127.0.0.1:${portOf(h2s)}`, { ca: tls.ca }),
      expected: 'h2 tls ok alpn=h2',
    },
    {
      name: '@grpc/grpc-js unary call',
      call: () => grpcEcho(`127.0.0.1:${grpcPort}`, 'ping'),
      expected: 'grpc echo ping',
    },
    {
      name: 'undici Pool',
      call: () => body(pool.request({ method: 'GET', path: '/pool' })),
      expected: 'http1 GET /pool',
    },
    {
      name: 'undici Agent',
      call: () => body(request(`${webUrl}/agent`, { dispatcher: agent })),
      expected: 'http1 GET /agent',
    },
    {
      name: 'undici Agent with allowH2 to an HTTP/2-only server',
      notDuringRecord:
        'recording answers its ALPN with HTTP/1.1 (how allowH2 provider traffic is captured), which an HTTP/2-only server refuses',
      // A new agent each time, so every phase makes its own connection.
      call: async () => {
        const h2Agent = new Agent({ allowH2: true, connect: { ca: tls.ca } });
        try {
          return await body(
            request(`https://127.0.0.1:${portOf(h2s)}/h2`, { dispatcher: h2Agent }),
          );
        } finally {
          await h2Agent.close();
        }
      },
      expected: 'h2 tls ok',
    },
    {
      name: 'undici ProxyAgent (CONNECT proxy)',
      // A new agent each time, so every phase opens its own CONNECT tunnel.
      call: async () => {
        const proxyAgent = new ProxyAgent(`http://127.0.0.1:${portOf(proxy)}`);
        try {
          return await body(request(`${webUrl}/proxied`, { dispatcher: proxyAgent }));
        } finally {
          await proxyAgent.close();
        }
      },
      expected: 'http1 GET /proxied',
    },
    {
      name: 'fetch with a custom dispatcher',
      call: async () =>
        (await fetch(`${webUrl}/custom`, { dispatcher: tagging } as RequestInit)).text(),
      expected: 'http1 GET /custom?tagged=1',
    },
    {
      name: 'WebSocket (ws) to a non-provider host',
      call: () => wsEcho(wsUrl, 'hi', 'ws'),
      expected: 'ws echo hi',
    },
    {
      name: 'WebSocket (global) to a non-provider host',
      call: () => wsEcho(wsUrl, 'hey', 'global'),
      expected: 'ws echo hey',
    },
    {
      name: 'HTTP over a Unix-domain socket',
      call: () => httpGet('http://localhost/unix', { socketPath }),
      expected: 'unix GET /unix',
    },
    {
      name: 'keep-alive node:http Agent opened before record()',
      call: () => httpGet(`${webUrl}/keep-alive`, { agent: keepAlive }),
      expected: 'http1 GET /keep-alive',
    },
  ];

  return {
    cases,
    tls,
    tunnels: () => tunnels,
    async close() {
      keepAlive.destroy();
      await Promise.all([pool.close(), agent.close(), tagging.close()]);
      for (const socket of wss.clients) socket.terminate();
      wss.close();
      grpcServer.forceShutdown();
      await Promise.all([h2c, h2s, web, proxy, ws, unix].map(closeServer));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every case's outcome: its answer, or what went wrong (a hang is reported, not waited out). */
export async function callAll(cases: Bystander[]): Promise<Record<string, string>> {
  const outcomes: Record<string, string> = {};
  for (const c of cases) {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('HUNG: no answer within 5 s'), 5000);
    });
    outcomes[c.name] = await Promise.race([
      c.call().then(
        (answer) => answer,
        (error: Error) => `FAILED: ${error.message}`,
      ),
      hung,
    ]);
    clearTimeout(timer);
  }
  return outcomes;
}

export const expectedOutcomes = (cases: Bystander[]) =>
  Object.fromEntries(cases.map((c) => [c.name, c.expected]));
