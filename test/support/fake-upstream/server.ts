/** The fake upstream server: records every request and answers in the route's own wire format. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import http2 from 'node:http2';
import { createServer as createTlsServer } from 'node:https';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { writePlan } from './http-writer.ts';
import { Ids } from './ids.ts';
import { type FileStore, matchFileRoute } from './openai-files.ts';
import { renderPrewarm } from './openai-responses.ts';
import { planReply } from './plan.ts';
import type { RenderContext } from './rendered.ts';
import { lowerHeaders, parseForm, parseJson, readBody } from './request.ts';
import { matchRoute, type Route } from './routes.ts';
import {
  DEFAULT_TEXT,
  type FakeUpstream,
  type FakeUpstreamOptions,
  type ReceivedRequest,
  type Reply,
  type ReplyHandler,
  type SentResponse,
} from './types.ts';
import { acceptUpgrade, createWebSocketServer, rejectUpgrade, sendPlan } from './websocket.ts';

// Fixed so that bodies are byte-identical across runs (2025-01-01T00:00:00Z).
const CREATED = 1_735_689_600;

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const received: ReceivedRequest[] = [];
  const sent: SentResponse[] = [];
  const queue: Reply[] = [];
  const ids = new Ids();
  const files: FileStore = new Map();
  const sockets = new Set<Socket | Duplex>();
  const websockets = new Set<WebSocket>();
  const closing = new AbortController();
  const waiters: { count: number; resolve: (r: ReceivedRequest[]) => void }[] = [];
  let handler: ReplyHandler | undefined;
  const wss = createWebSocketServer();

  const record = (req: ReceivedRequest): ReceivedRequest => {
    received.push(req);
    for (const w of [...waiters]) {
      if (received.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve([...received]);
      }
    }
    return req;
  };

  const context = (req: ReceivedRequest, route: Route | undefined, reply: Reply): RenderContext => {
    const model = ('model' in reply && reply.model) || route?.model || 'unknown';
    const stream = req.transport === 'websocket' || (route?.stream ?? false);
    const format = route?.format ?? 'sse';
    return { req, ids, requestId: ids.next('req'), stream, format, model, created: CREATED };
  };

  const choose = (req: ReceivedRequest, route: Route | undefined): Reply => {
    if (route === undefined) {
      // Unknown routes consume nothing; a handler may still serve them with raw bytes or a hang.
      const custom = handler?.(req);
      return custom?.kind === 'raw' || custom?.kind === 'hang'
        ? custom
        : { kind: 'text', text: '' };
    }
    return queue.shift() ?? handler?.(req) ?? { kind: 'text', text: DEFAULT_TEXT };
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    // A client that goes away mid-request is a normal event for a fake, never a test crash.
    handleHttp(req, res).catch(() => res.destroy());
  };
  const server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
  // Cleartext HTTP/2 (prior knowledge) on the same port: the AWS SDK's default Bedrock client
  // speaks only HTTP/2. A front socket server hands each connection to the HTTP/1 or the HTTP/2
  // server by its first bytes (the HTTP/2 preface starts `PRI `).
  const h2 = http2.createServer({}, listener as never);
  const front = options.tls
    ? undefined
    : createNetServer((socket) => {
        socket.once('readable', () => {
          const first: Buffer | null = socket.read();
          if (first) socket.unshift(first);
          const target = first?.subarray(0, 4).toString('latin1') === 'PRI ' ? h2 : server;
          target.emit('connection', socket);
        });
      });

  const handleHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const bodyBytes = await readBody(req);
    const bodyText = bodyBytes.toString('utf8');
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    const headers = lowerHeaders(req.headers);
    const body = parseJson(bodyText);
    const form = await parseForm(bodyBytes, headers['content-type']);
    const route = matchRoute(method, url, headers, body);
    const fileRoute = route ? undefined : matchFileRoute(method, url, files);
    const request = record({
      method,
      url,
      headers,
      bodyText,
      bodyBytes,
      body,
      ...(form ? { form } : {}),
      transport: 'http',
      ...(route ? { provider: route.provider, endpoint: route.endpoint } : {}),
      ...(fileRoute ? { provider: 'openai' as const, endpoint: fileRoute.endpoint } : {}),
    });
    const reply = choose(request, route);
    const ctx = context(request, route, reply);
    const { plan, options: replyOptions } =
      fileRoute && reply.kind === 'text'
        ? { plan: { type: 'rendered' as const, rendered: fileRoute.render(ctx) }, options: {} }
        : planReply(reply, route, ctx);
    const record_: SentResponse = { url, status: 0, headers: {}, chunks: [], transport: 'http' };
    sent.push(record_);
    await writePlan(res, plan, replyOptions, record_, closing.signal);
  };

  h2.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  h2.on('sessionError', () => {}); // clients that give up mid-session are expected

  server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {}); // resets from clients that give up are expected
    handleUpgrade(req, socket, head).catch(() => socket.destroy());
  });

  const handleUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const url = req.url ?? '/';
    const headers = lowerHeaders(req.headers);
    const pathname = new URL(url, 'http://fake').pathname;
    const isResponses = pathname === '/v1/responses' || pathname === '/responses';
    const upgrade = record({
      method: 'GET',
      url,
      headers,
      bodyText: '',
      bodyBytes: Buffer.alloc(0),
      body: undefined,
      transport: 'websocket',
      websocket: 'upgrade',
      ...(isResponses ? { provider: 'openai' as const, endpoint: 'responses' } : {}),
    });
    if (!isResponses) return rejectUpgrade(socket, 404);
    if (options.websocket === false) return rejectUpgrade(socket, 426);
    // Only a reject-upgrade at the head of the queue is consumed here: the queued turns stay for frames.
    const head_ = queue[0]?.kind === 'reject-upgrade' ? queue.shift() : handler?.(upgrade);
    if (head_?.kind === 'reject-upgrade') return rejectUpgrade(socket, head_.status ?? 426);
    const ws = await acceptUpgrade(wss, req, socket, head);
    websockets.add(ws);
    ws.on('close', () => websockets.delete(ws));
    let turn = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      // Frames are answered one at a time, in order, like the real server on one socket.
      turn = turn.then(() => answerFrame(ws, url, headers, text)).catch(() => ws.terminate());
    });
  };

  const answerFrame = async (
    ws: WebSocket,
    url: string,
    headers: Record<string, string>,
    text: string,
  ): Promise<void> => {
    const body = parseJson(text) as { type?: unknown; input?: unknown } | undefined;
    const isCreate = body?.type === 'response.create';
    const prewarm =
      isCreate &&
      (body.input === undefined ||
        (Array.isArray(body.input) && body.input.length === 0) ||
        body.input === '');
    const route = isCreate ? matchRoute('POST', '/v1/responses', headers, body) : undefined;
    const request = record({
      method: 'POST',
      url,
      headers,
      bodyText: text,
      bodyBytes: Buffer.from(text),
      body,
      transport: 'websocket',
      websocket: 'frame',
      ...(prewarm ? { prewarm: true } : {}),
      ...(route ? { provider: route.provider, endpoint: route.endpoint } : {}),
    });
    if (!isCreate) return; // other client frames (none known today) get no answer
    const record_: SentResponse = {
      url,
      status: 0,
      headers: {},
      chunks: [],
      transport: 'websocket',
    };
    sent.push(record_);
    if (prewarm) {
      const ctx = context(request, route, { kind: 'text', text: '' });
      const plan = { type: 'rendered' as const, rendered: renderPrewarm(ctx) };
      return sendPlan(ws, plan, {}, record_, closing.signal);
    }
    const reply = choose(request, route);
    if (reply.kind === 'reject-upgrade') return void ws.close(1008, 'rejected');
    const { plan, options: replyOptions } = planReply(reply, route, context(request, route, reply));
    await sendPlan(ws, plan, replyOptions, record_, closing.signal);
  };

  const listening = front ?? server;
  await new Promise<void>((resolve, reject) => {
    listening.once('error', reject);
    listening.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = listening.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    received,
    sent,
    reply(next) {
      handler = next;
    },
    enqueue(...replies) {
      queue.push(...replies);
    },
    reset() {
      received.length = 0;
      sent.length = 0;
      queue.length = 0;
      handler = undefined;
      ids.reset();
      files.clear();
    },
    waitForRequests(count) {
      if (received.length >= count) return Promise.resolve([...received]);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      closing.abort();
      for (const ws of websockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => listening.close(() => resolve()));
      server.closeAllConnections();
      h2.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
