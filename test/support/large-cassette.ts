/**
 * Writes a large synthetic cassette of non-streamed Chat Completions exchanges (request
 * `question <i>`, answer `answer(i)`): the size class of agent runs with big tool outputs. Shared
 * by the bounded-memory replay test and `bench/memory.ts`, so both measure the same shape.
 */
import { createCassetteWriter } from '../../src/cassette/writer.ts';
import { normalizeStep } from '../../src/pipeline/canonical.ts';
import { assembleBody, type RouteInfo } from '../../src/providers/index.ts';

const ROUTE: RouteInfo = {
  provider: 'openai',
  endpoint: 'chat.completions',
  model: 'gpt-4o-mini',
  stream: false,
  streamFormat: null,
};

export function writeLargeChatCassette(
  file: string,
  options: { count: number; answer: (i: number) => string; replace?: boolean },
): void {
  const writer = createCassetteWriter(file, {
    header: {
      run_id: 'large-chat-cassette',
      capture: 'sdk',
      response_source: 'live',
      tool: { name: 'replaykit', version: 'test' },
      redaction: { policy: 'default' },
    },
    normalize: normalizeStep,
    replace: options.replace ?? false,
    // Thousands of large lines: one fsync at the seal is enough for a generated file.
    fsyncIntervalMs: 60_000,
  });
  for (let i = 0; i < options.count; i++) {
    const base = {
      correlation_id: `c${i}`,
      provider: 'openai',
      endpoint: 'chat.completions',
      offset_ms: i,
    } as const;
    writer.append({
      ...base,
      type: 'model.request',
      method: 'POST',
      url: '/v1/chat/completions',
      transport: 'http',
      stream: false,
      model: 'gpt-4o-mini',
      headers: { 'content-type': 'application/json' },
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }] },
    });
    const body = {
      id: `c${i}`,
      object: 'chat.completion',
      created: 0,
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: options.answer(i) },
          finish_reason: 'stop',
        },
      ],
    };
    writer.append({
      ...base,
      type: 'model.response',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body,
      // As the recorder writes it, so the cassette is one its own replay reproduces (parity).
      assembled: assembleBody(ROUTE, body),
    });
  }
  writer.seal();
}
