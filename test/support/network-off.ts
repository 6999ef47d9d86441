/**
 * `node --import ./test/support/network-off.ts ...`: a process with the network off. Every TCP
 * connection attempt (loopback included: a replay must need no server at all) and every DNS lookup
 * fails with ENETUNREACH, as on an offline machine. Local IPC (Unix sockets, Windows named pipes)
 * is left alone: it is not the network. Used by the golden replay test and the CI step
 * "network-off replay determinism".
 */
import dns from 'node:dns';
import net from 'node:net';

const offline = (what: string) =>
  Object.assign(new Error(`network is off: refused ${what}`), { code: 'ENETUNREACH' });

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const first = args[0];
  const options = (Array.isArray(first) ? first[0] : first) as
    | { path?: string; port?: number; host?: string }
    | number
    | string;
  const isIpc =
    (typeof options === 'string' && Number.isNaN(Number(options))) ||
    (typeof options === 'object' && options !== null && typeof options.path === 'string');
  if (isIpc) return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  const target =
    typeof options === 'object' && options !== null
      ? `${options.host ?? 'localhost'}:${options.port}`
      : `port ${String(options)}`;
  process.nextTick(() => this.destroy(offline(`a connection to ${target}`)));
  return this;
} as typeof net.Socket.prototype.connect;

const refuseLookup = (hostname: string, ...rest: unknown[]) => {
  const callback = rest.at(-1) as (error: Error) => void;
  process.nextTick(() => callback(offline(`a DNS lookup of ${hostname}`)));
};
dns.lookup = refuseLookup as typeof dns.lookup;
dns.promises.lookup = (async (hostname: string) => {
  throw offline(`a DNS lookup of ${hostname}`);
}) as typeof dns.promises.lookup;
