/**
 * The servers of bench/listener-gateway.ts, each run in its own child process (forked with an IPC
 * channel) so the client, the upstream and the proxy under test never share an event loop:
 *   upstream               the provider stand-in (JSON, or 20 SSE events written one per tick)
 *   forwarder <target>     the floor: a minimal Node http forwarder
 *   gateway <target>       the listener's gateway without capture (forwarding cost alone)
 *   listener <target> <dir> the real listener, through runForeground (what
 *                          `replaypack listen start --foreground` runs), capture on
 * Each sends `{ url }` when ready, answers `{ heap_mb }` (after a full GC) to 'heap' and
 * `{ cpu }` (process.cpuUsage) to 'cpu', and closes
 * cleanly on 'stop' (so `--cpu-prof` can write its profile).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createGateway, runForeground } from '../src/listener/index.ts';

export const JSON_BODY = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-bench',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'hello '.repeat(40) },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 10, completion_tokens: 40, total_tokens: 50 },
});
const chunk = (i: number) =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'gpt-bench', choices: [{ index: 0, delta: { content: `w${i} ` }, finish_reason: null }] })}\n\n`;

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

// Idle keep-alive sockets stay open across the bench's phases (one proxy idles while the other is
// measured): a server closing one just as it is reused would fail a request at random.
const LONG_KEEP_ALIVE = { noDelay: true, keepAliveTimeout: 0 };

function upstream(): http.Server {
  return http.createServer(LONG_KEEP_ALIVE, (req, res) => {
    req.resume();
    req.on('end', () => {
      if (!req.url?.includes('stream')) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(JSON_BODY),
        });
        return res.end(JSON_BODY);
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const next = () => {
        if (i === 20) return res.end('data: [DONE]\n\n');
        res.write(chunk(i++));
        setImmediate(next);
      };
      next();
    });
  });
}

/** The least a forwarding proxy can do: pipe both ways, keep-alive upstream, headers flushed. */
function forwarder(target: string): http.Server {
  const agent = new http.Agent({ keepAlive: true });
  const base = new URL(target);
  return http.createServer(LONG_KEEP_ALIVE, (req, res) => {
    const up = http.request(
      {
        host: base.hostname,
        port: base.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: base.host },
        agent,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.flushHeaders();
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
}

// A settled heap needs a full GC; the flag can be set at runtime, so no `--expose-gc` is needed.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

const [role, target = '', dir = ''] = process.argv.slice(2);
let stop: () => Promise<unknown>;
let url: string;
if (role === 'upstream' || role === 'forwarder') {
  const server = role === 'upstream' ? upstream() : forwarder(target);
  url = await listen(server);
  stop = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  };
} else if (role === 'gateway') {
  // The listener's forwarding alone (no capture sink): splits its overhead into forward + capture.
  const gateway = await createGateway({ port: 0, upstreams: { openai: target } });
  url = gateway.url;
  stop = () => gateway.close();
} else if (role === 'listener') {
  const run = await runForeground({
    port: 0,
    out: dir,
    stateDir: join(dir, 'state'),
    upstreams: { openai: target },
    rotateSize: '1GB',
    log: () => {},
  });
  url = run.url;
  stop = async () => {
    await fetch(`${run.url}/__replaykit/shutdown`, {
      method: 'POST',
      headers: { 'x-replaykit-control-token': await controlToken(dir) },
    });
    return run.stopped;
  };
} else {
  throw new Error(`unknown role ${role}: use upstream, forwarder or listener`);
}

async function controlToken(dir: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const state = JSON.parse(await readFile(join(dir, 'state', 'listener.json'), 'utf8'));
  return state.control_token as string;
}

process.on('message', async (message) => {
  if (message === 'heap') process.send?.({ heap_mb: heapMb() });
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (message === 'stop') {
    await stop();
    process.disconnect();
  }
});
process.send?.({ url });
