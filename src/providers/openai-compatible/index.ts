/**
 * OpenAI-compatible servers, one module for all of them: OpenAI's wire format (the OpenAI
 * module's assembly, tools, volatile fields) on each server's base URL, the server's name kept
 * in the steps (`provider_name`).
 */
import type { ProviderModule } from '../module.ts';
import openai from '../openai/index.ts';
import { headerOf } from '../util.ts';
import { compatUpstreamPath, detectCompatible, LISTENER_PATH, ROUTES } from './routes.ts';
import { KNOWN_SERVERS } from './servers.ts';

const compatible: ProviderModule = {
  ...openai,
  name: 'openai-compatible',
  detect: detectCompatible,
  routes: ROUTES,
  envByDefault: false,
  hosts: Object.values(KNOWN_SERVERS).flatMap((url) => {
    const host = new URL(url).hostname;
    return host === 'localhost' ? [] : [host];
  }),
  sentBySdk: (headers) => /^Groq\//i.test(headerOf(headers, 'user-agent') ?? ''),

  // The listener forwards `/compat/NAME/...` to `--upstream compat:NAME=URL`, or to the known
  // server of that name (servers.ts); this default is never used on its own.
  upstream: KNOWN_SERVERS.vllm ?? 'http://localhost:8000/v1',
  upstreamPath: compatUpstreamPath,
  expectsErrorShape: (url) => LISTENER_PATH.test(url.split('?')[0] ?? ''),
  // groq-sdk reads GROQ_BASE_URL (and appends /openai/v1 itself); the others take a base URL in code.
  routingEnv: (url, name): Record<string, string> =>
    name === 'groq' ? { GROQ_BASE_URL: `${url}/compat/groq` } : {},
  codeOptions: (url, name = 'NAME') => [
    `openai: new OpenAI({ baseURL: '${url}/compat/${name}' })`,
    `@ai-sdk/openai-compatible: createOpenAICompatible({ name: '${name}', baseURL: '${url}/compat/${name}' })`,
  ],

  // Groq and others answer `x-request-id` like OpenAI; OpenRouter's id is the body's `id`.
  requestId: (headers) => headerOf(headers, 'x-request-id') ?? null,
  volatile: {
    ...openai.volatile,
    headers: [...openai.volatile.headers, /^(x-groq-region|x-openrouter-.*|cf-ray)$/],
  },
};

export default compatible;
