/** Shared builders for cassette tests: a header, a few realistic steps, temp dirs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { RunHeader, Step } from '../../../src/cassette/schema.ts';

export const header: RunHeader = {
  type: 'run.header',
  version: 1,
  run_id: 'run-test-1',
  capture: 'sdk',
  response_source: 'live',
  tool: { name: 'replaykit', version: '0.1.0' },
  redaction: { policy: 'default' },
};

export const writerHeader = {
  run_id: 'run-test-1',
  capture: 'sdk',
  response_source: 'live',
  tool: { name: 'replaykit', version: '0.1.0' },
  redaction: { policy: 'default' },
} as const;

export function request(index: number, correlation_id = `c${index}`): Step {
  return {
    type: 'model.request',
    index,
    correlation_id,
    provider: 'openai',
    endpoint: 'chat.completions',
    offset_ms: index * 10,
    method: 'POST',
    url: '/v1/chat/completions',
    transport: 'http',
    stream: false,
    model: 'gpt-4o-mini',
    headers: { 'content-type': 'application/json' },
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `hi ${index}` }] },
  };
}

export function response(index: number, correlation_id = `c${index}`): Step {
  return {
    type: 'model.response',
    index,
    correlation_id,
    request_id: `req_${index}`,
    provider: 'openai',
    endpoint: 'chat.completions',
    offset_ms: index * 10 + 5,
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: { id: `chatcmpl-${index}`, choices: [{ message: { content: 'hello' } }] },
  };
}

/** JSON Lines text of a cassette: header first, then the given lines. */
export function rpk(...lines: unknown[]): string {
  return `${[header, ...lines].map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;
}

const dirs: string[] = [];
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rk-cassette-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
