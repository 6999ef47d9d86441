/**
 * Which OpenAI-compatible server a request is for, by base URL: the public APIs' documented base
 * URLs and the local servers' default ports, plus configured ones. Configured base URLs come
 * first: `REPLAYKIT_OPENAI_COMPATIBLE="name=URL,name=URL"` in the process (in-process capture
 * and replay), or the listener's `--upstream compat:NAME=URL` (configureCompatible).
 */

export interface CompatibleServer {
  name: string;
  origin: string;
  /** The base URL's path, no trailing slash (`/openai/v1`); '' for none. */
  path: string;
}

/** Documented base URLs (and local servers' default ports), as the servers' docs give them. */
export const KNOWN_SERVERS: Readonly<Record<string, string>> = {
  groq: 'https://api.groq.com/openai/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  deepseek: 'https://api.deepseek.com',
  mistral: 'https://api.mistral.ai/v1',
  xai: 'https://api.x.ai/v1',
  together: 'https://api.together.xyz/v1',
  vllm: 'http://localhost:8000/v1',
  lmstudio: 'http://localhost:1234/v1',
  'ollama-v1': 'http://localhost:11434/v1',
};

const NAME = /^[a-z0-9][a-z0-9._-]*$/i;

export function serverOf(name: string, url: string): CompatibleServer | null {
  if (!NAME.test(name)) return null;
  try {
    const parsed = new URL(url);
    return { name, origin: parsed.origin, path: parsed.pathname.replace(/\/+$/, '') };
  } catch {
    return null;
  }
}

const KNOWN = Object.entries(KNOWN_SERVERS).flatMap(([name, url]) => serverOf(name, url) ?? []);

let configured: CompatibleServer[] = [];
let fromEnv: { raw: string; servers: CompatibleServer[] } = { raw: '', servers: [] };

/** The listener's `--upstream compat:NAME=URL` values. */
export function configureCompatible(servers: Record<string, string>): void {
  configured = Object.entries(servers).flatMap(([name, url]) => serverOf(name, url) ?? []);
}

function envServers(): CompatibleServer[] {
  const raw = process.env.REPLAYKIT_OPENAI_COMPATIBLE ?? '';
  if (raw !== fromEnv.raw) {
    const servers = raw.split(',').flatMap((pair) => {
      const eq = pair.indexOf('=');
      return eq > 0 ? (serverOf(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()) ?? []) : [];
    });
    fromEnv = { raw, servers };
  }
  return fromEnv.servers;
}

/** Configured servers first, then the known ones; the longest base path wins on one origin. */
export function compatibleServers(): CompatibleServer[] {
  return [...configured, ...envServers(), ...KNOWN];
}

/** The server whose base URL a request at `origin` + `path` is under, and the path after it. */
export function serverFor(
  origin: string,
  path: string,
): { server: CompatibleServer; rest: string } | null {
  let best: { server: CompatibleServer; rest: string } | null = null;
  for (const server of compatibleServers()) {
    if (server.origin !== origin) continue;
    if (server.path !== '' && path !== server.path && !path.startsWith(`${server.path}/`)) continue;
    if (best && best.server.path.length >= server.path.length) continue;
    best = { server, rest: path.slice(server.path.length) || '/' };
  }
  return best;
}
