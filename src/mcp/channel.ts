/**
 * The shim's line to the running listener: one long `POST /__replaykit/mcp/<name>` whose body is
 * NDJSON, one `{"from","text"}` envelope per MCP message, sent as each message passes. The
 * listener turns them into steps in its own artifact (redacted there, like provider traffic),
 * so the shim never writes a file and never holds a secret longer than the pipe does. A listener
 * that is gone or refuses costs one warning: the agent's MCP traffic flows on regardless.
 */
import http from 'node:http';
import { cliName } from '../cli-name.ts';
import { TOKEN_HEADER } from '../listener/headers.ts';
import { readState, resolveStateDir } from '../listener/state.ts';
import type { McpSide } from './steps.ts';

export const MCP_PREFIX = '/__replaykit/mcp/';

export interface ListenerTarget {
  url: string;
  token: string | null;
}

/**
 * `--listener URL` when given, else the listener of REPLAYKIT_HOME (or ~/.replaykit). A listener
 * that requires a token gets the one its state file holds (when it is that listener), else
 * REPLAYKIT_LISTENER_TOKEN, the variable `listen start` reads it from.
 */
export function findListener(url: string | undefined, env = process.env): ListenerTarget | null {
  const state = readState(resolveStateDir(undefined, env));
  if (url) {
    const wanted = url.replace(/\/+$/, '');
    const token = state?.url === wanted ? state.token : (env.REPLAYKIT_LISTENER_TOKEN ?? null);
    return { url: wanted, token };
  }
  return state ? { url: state.url, token: state.token } : null;
}

export interface RecordChannel {
  send(from: McpSide, text: string): void;
  /** Ends the body and waits (at most `timeoutMs`) for the listener to confirm. */
  close(timeoutMs?: number): Promise<void>;
}

export function openRecordChannel(
  target: ListenerTarget,
  server: string,
  session: string,
  warn: (message: string) => void,
): RecordChannel {
  let broken = false;
  const fail = (reason: string) => {
    if (broken) return;
    broken = true;
    warn(
      `Failed to record MCP server "${server}" into the listener at ${target.url}: ${reason}. Its traffic still flows; start the listener ("${cliName()} listen start") before the agent to record it`,
    );
  };
  const headers: Record<string, string> = { 'content-type': 'application/x-ndjson' };
  if (target.token) headers[TOKEN_HEADER] = target.token;
  const path = `${MCP_PREFIX}${encodeURIComponent(server)}?session=${encodeURIComponent(session)}`;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const req = http.request(`${target.url}${path}`, { method: 'POST', headers, agent: false });
  req.on('response', (res) => {
    if (res.statusCode !== 200) {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        fail(`it answered ${res.statusCode} ${text.slice(0, 300)}`);
        done();
      });
      return;
    }
    res.resume();
    res.on('end', done);
  });
  req.on('error', (error) => {
    fail(error.message);
    done();
  });
  req.setNoDelay(true);
  // Headers go out now: a refused listener is reported at start, not at the first message.
  req.flushHeaders();
  return {
    send(from, text) {
      if (broken) return;
      req.write(`${JSON.stringify({ from, text })}\n`);
    },
    async close(timeoutMs = 3000) {
      req.end();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        finished,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
