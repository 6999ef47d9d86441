/**
 * `CONNECT` through the listener (issue 21, the bystander guarantee where it applies). The
 * listener is a base-URL gateway, not a forward proxy, but a client given it as its HTTP(S) proxy
 * sends every host through it. Node answers a `CONNECT` nobody handles by dropping the socket,
 * which clients report as an unexplained reset. Now:
 * - a target that is not a provider upstream is tunnelled byte for byte (it passes through
 *   untouched, as it would without replaykit);
 * - a provider upstream is refused with a 403 saying how to route it for capture: inside a tunnel
 *   its traffic (TLS) would pass the listener unseen;
 * - a listener that needs a token (it may be reachable from other machines) tunnels nothing: it
 *   would be an open proxy.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { cliName } from '../cli-name.ts';
import { PROVIDER_HOSTS } from '../providers/index.ts';

export interface TunnelOptions {
  /** Upstream base URLs: their host:port pairs are never tunnelled. */
  upstreams: readonly string[];
  tokenRequired: boolean;
  /** The listener's own URL, for the hint in refusals. */
  url: () => string;
}

export interface Tunnels {
  connect(req: IncomingMessage, client: Duplex, head: Buffer): void;
  /** Cuts every open tunnel (listener shutdown). */
  close(): void;
}

export function createTunnels(options: TunnelOptions): Tunnels {
  const open = new Set<Duplex>();
  const providers = new Set(options.upstreams.map(authorityOf).filter((a) => a !== null));

  const refuse = (client: Duplex, status: string, message: string) => {
    const body = `[replaykit] ${message}\n`;
    client.end(
      `HTTP/1.1 ${status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  };

  return {
    connect(req, client, head) {
      client.on('error', () => client.destroy());
      const target = req.url ?? '';
      const { hostname, port } = splitAuthority(target);
      if (options.tokenRequired) {
        return refuse(
          client,
          '403 Forbidden',
          `Failed to open a tunnel to "${target}": this listener requires a token, so it tunnels nothing. Use it as a base URL ("${cliName()} listen env" prints the lines), not as a proxy.`,
        );
      }
      if (!hostname || !port) {
        return refuse(
          client,
          '400 Bad Request',
          `Failed to open a tunnel to "${target}": CONNECT needs host:port.`,
        );
      }
      // Known provider hosts too: with an overridden upstream they are no configured one, and
      // a tunnel would still carry their traffic past capture.
      if (providers.has(`${hostname}:${port}`) || Object.hasOwn(PROVIDER_HOSTS, hostname)) {
        return refuse(
          client,
          '403 Forbidden',
          `Failed to open a tunnel to "${target}": it is a provider upstream, whose traffic would pass the listener unrecorded inside a tunnel. Set the SDK's base URL to ${options.url()} instead ("${cliName()} listen env" prints the lines).`,
        );
      }
      const upstream = net.connect(Number(port), hostname);
      let connected = false;
      open.add(client);
      open.add(upstream);
      const forget = () => {
        open.delete(client);
        open.delete(upstream);
        client.destroy();
        upstream.destroy();
      };
      upstream.once('connect', () => {
        connected = true;
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.once('error', (error) => {
        if (connected) return forget();
        open.delete(client);
        refuse(
          client,
          '502 Bad Gateway',
          `Failed to open a tunnel to "${target}": ${error.message}. Check that the target is reachable.`,
        );
      });
      upstream.once('close', () => {
        if (connected) forget();
      });
      client.once('close', forget);
    },
    close() {
      for (const socket of open) socket.destroy();
      open.clear();
    },
  };
}

/**
 * `host:port`, `[v6]:port`. By hand: `new URL()` drops a scheme's default port (`host:80` came back
 * without one, refused as malformed).
 */
function splitAuthority(authority: string): { hostname: string; port: string } {
  const m =
    /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]:(\d{1,5})$/.exec(authority) ??
    /^([^:[\]\s/@]+):(\d{1,5})$/.exec(authority);
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65535) return { hostname: '', port: '' };
  return { hostname: m[1]!.toLowerCase(), port: String(port) };
}

function authorityOf(base: string): string | null {
  try {
    const url = new URL(base);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return `${url.hostname.replace(/^\[|\]$/g, '').toLowerCase()}:${port}`;
  } catch {
    return null;
  }
}
