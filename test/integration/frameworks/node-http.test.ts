/** Raw `node:http` and `node:https` (a private CA trusted through the Agent's `ca`), no SDK at all. */
import http from 'node:http';
import https from 'node:https';
import { type RunEnv, scenario, scenarios } from './harness.ts';

function post(
  env: RunEnv,
  pathname: string,
  body: unknown,
): Promise<{ status: number; text: string }> {
  const url = new URL(pathname, env.origin);
  const options = {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-FAKE' },
  };
  return new Promise((resolve, reject) => {
    const done = (res: http.IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    };
    const req = env.ca
      ? https.request(url, { ...options, agent: new https.Agent({ ca: env.ca }) }, done)
      : http.request(url, options, done);
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

// A JSON completion and an SSE stream, read as raw bytes: replay must give back the same text.
const run = async (env: RunEnv, prompt: string) => {
  const messages = [{ role: 'user', content: prompt }];
  const json = await post(env, '/v1/chat/completions', { model: 'gpt-4o-mini', messages });
  const sse = await post(env, '/v1/chat/completions', {
    model: 'gpt-4o-mini',
    messages,
    stream: true,
  });
  return { json, sse };
};

const sane = (v: Awaited<ReturnType<typeof run>>) => {
  if (v.json.status !== 200 || !v.json.text.includes('Hello from the fake upstream.')) {
    throw new Error(`unexpected JSON answer ${v.json.status} ${v.json.text}`);
  }
  if (!v.sse.text.includes('data: [DONE]')) throw new Error(`no SSE stream: ${v.sse.text}`);
};

scenarios([
  scenario({
    name: 'node:http',
    prompt: 'Say hi',
    changed: 'Say bye',
    path: 'body.messages[0].content',
    run,
    sane,
  }),
  scenario({
    name: 'node:https (private CA)',
    tls: true,
    prompt: 'Say hi',
    changed: 'Say bye',
    path: 'body.messages[0].content',
    run,
    sane,
  }),
]);
