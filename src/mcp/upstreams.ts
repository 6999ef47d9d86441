/**
 * Streamable-HTTP MCP servers behind the listener: `--upstream mcp=URL` (served at `/mcp`) and
 * `--upstream mcp.NAME=URL` (served at `/mcp/NAME`), kept apart from the provider upstreams.
 */
import { UsageError } from '../errors.ts';

/** The default server's name, for `--upstream mcp=URL`. */
export const DEFAULT_MCP_SERVER = 'mcp';

/** Splits `--upstream` values into provider ones (returned as they are) and MCP servers. */
export function splitMcpUpstreams(values: string[]): {
  providers: string[];
  mcp: Record<string, string>;
} {
  const providers: string[] = [];
  const mcp: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const key = eq === -1 ? value : value.slice(0, eq);
    if (key !== 'mcp' && !key.startsWith('mcp.')) {
      providers.push(value);
      continue;
    }
    const name = key === 'mcp' ? DEFAULT_MCP_SERVER : key.slice(4);
    mcp[name] = validateMcpUpstream(name, eq === -1 ? '' : value.slice(eq + 1));
  }
  return { providers, mcp };
}

export function validateMcpUpstream(name: string, url: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new UsageError(
      `Invalid --upstream mcp.${name}: an MCP server name is letters, digits, "_" or "-".`,
    );
  }
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {}
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new UsageError(
      `Invalid --upstream mcp${name === DEFAULT_MCP_SERVER ? '' : `.${name}`}="${url}": expected the server's http(s) URL, e.g. mcp.docs=http://127.0.0.1:3001/mcp.`,
    );
  }
  return url.replace(/\/+$/, '');
}

/** The server a listener path belongs to, and the path after its prefix. */
export function matchMcpPath(
  url: string,
  servers: Readonly<Record<string, unknown>>,
): { server: string; rest: string } | null {
  const [path = '', query] = url.split(/\?(.*)/s, 2);
  const tail = query === undefined ? '' : `?${query}`;
  const named = /^\/mcp\/([A-Za-z0-9_-]+)(\/.*)?$/.exec(path);
  if (named && named[1] !== undefined && named[1] in servers) {
    return { server: named[1], rest: `${named[2] ?? ''}${tail}` };
  }
  if (path === '/mcp' && DEFAULT_MCP_SERVER in servers) {
    return { server: DEFAULT_MCP_SERVER, rest: tail };
  }
  return null;
}
