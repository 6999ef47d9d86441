/**
 * Large cassettes are replayed from an index: requests in memory, responses read back from the
 * file by byte offset when served. What a user sees must not change: every response read back
 * equals the one the whole-file reader folds, streams interleaved with other exchanges and
 * multi-byte text included, and a file edited after sealing still fails to load.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readCassette } from '../../../src/cassette/reader.ts';
import type { ModelRequest } from '../../../src/cassette/schema.ts';
import { createCassetteWriter } from '../../../src/cassette/writer.ts';
import { CassetteFormatError } from '../../../src/errors.ts';
import { normalizeRequest } from '../../../src/providers/index.ts';
import { describeDivergence } from '../../../src/replay/divergence.ts';
import { loadReplaySource, loadResponse } from '../../../src/replay/index-file.ts';
import { ReplayMatcher } from '../../../src/replay/matcher.ts';
import { request, response, rpk, tempDir, writerHeader } from '../cassette/fixtures.ts';

const open = (index: number, cid: string) => ({
  type: 'stream.open',
  index,
  correlation_id: cid,
  provider: 'openai',
  endpoint: 'chat.completions',
  offset_ms: 1,
  status: 200,
  headers: { 'content-type': 'text/event-stream' },
  format: 'sse',
});
const event = (cid: string, seq: number, text: string) => ({
  type: 'stream.event',
  correlation_id: cid,
  seq,
  offset_ms: 2 + seq,
  data: { choices: [{ delta: { content: text } }] },
});
const close = (index: number, cid: string) => ({
  type: 'model.response',
  index,
  correlation_id: cid,
  provider: 'openai',
  endpoint: 'chat.completions',
  offset_ms: 9,
  status: 200,
  headers: { 'content-type': 'text/event-stream' },
  stream: { format: 'sse', state: 'completed' },
});

/** Two streams open at once, a plain exchange between them, an upstream failure, a crash. */
const lines = [
  request(0, 'a'),
  open(1, 'a'),
  request(2, 'b'),
  event('a', 0, 'héllo 🌍 '),
  response(3, 'b'),
  request(4, 'c'),
  open(5, 'c'),
  event('a', 1, 'ünïcödé'),
  close(1, 'a'),
  event('c', 0, 'cut off'),
  request(6, 'd'),
  {
    type: 'error.event',
    index: 7,
    correlation_id: 'd',
    provider: 'openai',
    endpoint: 'chat.completions',
    offset_ms: 12,
    source: 'upstream',
    code: 'E_UPSTREAM_REFUSED',
    message: 'connection refused',
  },
];

function write(text: string): string {
  const path = join(tempDir(), 'large.rpk');
  writeFileSync(path, text);
  return path;
}

describe('replaying a cassette from its index', () => {
  test.each([
    ['LF', (t: string) => t],
    ['CRLF', (t: string) => t.replaceAll('\n', '\r\n')],
  ])('every response read back equals the whole-file read (%s)', async (_name, eol) => {
    const file = write(eol(rpk(...lines)));
    const whole = await readCassette(file);
    const source = await loadReplaySource(file, { inMemoryBelow: 0 });
    const expected = whole.steps.filter((s) => s.type === 'model.response');
    expect(expected).toHaveLength(3);
    for (const step of expected) {
      const stored = source.responses.get(step.correlation_id)!;
      expect('spans' in stored).toBe(true);
      expect(stored.streamed).toBe(!!step.stream);
      expect(await loadResponse(stored)).toEqual(step);
    }
    // The stream the writer never closed comes back interrupted, as the full read has it.
    const cut = await loadResponse(source.responses.get('c')!);
    expect(cut.stream?.state).toBe('interrupted');
    expect(source.requests.map((r) => r.correlation_id)).toEqual(['a', 'b', 'c', 'd']);
    expect(source.failures.get('d')?.code).toBe('E_UPSTREAM_REFUSED');
  });

  test('a divergence still names the closest recorded request', async () => {
    const file = write(rpk(...lines));
    const fromIndex = await loadReplaySource(file, { inMemoryBelow: 0 });
    const inMemory = await loadReplaySource(file);
    expect('step' in inMemory.responses.get('a')!).toBe(true);
    const live = request(0, 'live') as ModelRequest;
    live.body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi 9' }] };
    const report = (source: typeof fromIndex) => {
      const result = new ReplayMatcher('large.rpk', source, normalizeRequest).take(live);
      expect(result.ok).toBe(false);
      return result.ok ? '' : describeDivergence(result.divergence);
    };
    const message = report(fromIndex);
    expect(message).toContain('body.messages[0].content: expected "hi 0" but got "hi 9"');
    expect(message).toBe(report(inMemory));
  });

  test('a file changed after it was sealed fails while it is indexed', async () => {
    const sealed = join(tempDir(), 'sealed.rpk');
    const writer = createCassetteWriter(sealed, { header: writerHeader });
    writer.append(request(0, 'a'));
    writer.append(response(1, 'a'));
    writer.seal();
    const text = readFileSync(sealed, 'utf8').replace('"hello"', '"HELLO"');
    const edited = write(text);
    const error = await loadReplaySource(edited, { inMemoryBelow: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CassetteFormatError);
    expect((error as Error).message).toContain('the file was changed after it was sealed');
  });
});
