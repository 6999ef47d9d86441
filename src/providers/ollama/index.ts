/** Ollama's native API (the `ollama` package): chat and generate with NDJSON streams, embeddings. */
import type { ProviderModule, StreamCodec } from '../module.ts';
import { createNdjsonFramer, ndjsonLine } from '../ndjson.ts';
import { headerOf } from '../util.ts';
import { assembleOllamaBody, createOllamaAssembler } from './assemble.ts';
import { detectOllama, ROUTES } from './routes.ts';
import { ollamaStatusError } from './status-errors.ts';
import { ollamaSynthetic } from './synthetic.ts';
import { ollamaResults } from './tools.ts';
import { ollamaTurns } from './turns.ts';

const NDJSON: StreamCodec = {
  format: 'ndjson',
  exact: true,
  framer: createNdjsonFramer,
  *wire(stream) {
    for (const ev of stream.events) yield ndjsonLine(ev);
    if (stream.tail) yield stream.tail;
  },
  // An error on a streaming route is one JSON body (`application/json`), not the stream.
  matches: (contentType, _route, status) =>
    status < 400 && contentType.toLowerCase().includes('ndjson'),
};

const GENERATES = new Set(['chat', 'generate']);

const ollama: ProviderModule = {
  name: 'ollama',
  detect: detectOllama,
  routes: ROUTES,
  hosts: ['ollama.com'],
  sentBySdk: (headers) => /^ollama-js\//i.test(headerOf(headers, 'user-agent') ?? ''),

  upstream: 'http://127.0.0.1:11434',
  expectsErrorShape: (url) => url.startsWith('/api/'),
  // The `ollama` package reads no variable for its host (the ollama CLI's OLLAMA_HOST is not read).
  codeOptions: (url) => [`ollama: new Ollama({ host: '${url}' })`],

  // Ollama sends no request id.
  requestId: () => null,
  toolResults: (route, body) => (route.endpoint === 'chat' ? ollamaResults(body) : []),
  assembleBody: (route, body) =>
    GENERATES.has(route.endpoint) ? assembleOllamaBody(body) : undefined,
  createAssembler: () => createOllamaAssembler(),
  streamCodecs: [NDJSON],

  volatile: {
    request: [],
    response: [
      'created_at',
      'total_duration',
      'load_duration',
      'prompt_eval_duration',
      'eval_duration',
    ],
    headers: [],
  },
  redaction: { keepHeaders: [], blobFields: ['system', 'tools'] },

  errorBody: (info) => ({ error: info.message }),
  statusError: ollamaStatusError,
  synthetic: ollamaSynthetic,
  turns: ollamaTurns,
};

export default ollama;
