/**
 * Capture hooks run after the bytes they describe went out (src/listener/defer.ts), yet each
 * exchange's cassette lines keep their order and nothing queued is lost at shutdown.
 */
import { expect, test } from 'vitest';
import type { ExchangeRecorder } from '../../../src/listener/capture-hooks.ts';
import { createDeferrer } from '../../../src/listener/defer.ts';

function logging(log: string[], tag: string): Required<ExchangeRecorder> {
  const hook =
    (name: string) =>
    (...args: unknown[]) =>
      log.push(`${tag}.${name}${typeof args[0] === 'string' ? `(${args[0]})` : ''}`);
  return {
    requestBody: hook('requestBody'),
    responseHead: hook('responseHead'),
    responseChunk: hook('responseChunk'),
    responseEnd: hook('responseEnd'),
    error: hook('error'),
    clientFrame: hook('clientFrame'),
    serverFrame: hook('serverFrame'),
    closed: hook('closed'),
    note: hook('note'),
    source: hook('source'),
  };
}

test('the head and the first chunk are captured at once, later chunks after the current tick, in order', async () => {
  const log: string[] = [];
  const rec = createDeferrer().wrap(logging(log, 'a'));
  rec.requestBody(new Uint8Array(), 0);
  expect(log).toEqual([]);
  rec.responseHead(200, {}, 0);
  // The queued request body runs first: the head never overtakes it.
  expect(log).toEqual(['a.requestBody', 'a.responseHead']);
  rec.responseChunk('1' as never, 0);
  expect(log.at(-1)).toBe('a.responseChunk(1)');
  rec.responseChunk('2' as never, 0);
  rec.responseChunk('3' as never, 0);
  rec.responseEnd(0);
  expect(log).toHaveLength(3);
  await new Promise((resolve) => process.nextTick(resolve));
  expect(log).toEqual([
    'a.requestBody',
    'a.responseHead',
    'a.responseChunk(1)',
    'a.responseChunk(2)',
    'a.responseChunk(3)',
    'a.responseEnd',
  ]);
});

test('flush runs every queued hook of every exchange, so the seal misses nothing', () => {
  const log: string[] = [];
  const deferrer = createDeferrer();
  const a = deferrer.wrap(logging(log, 'a'));
  const b = deferrer.wrap(logging(log, 'b'));
  a.requestBody(new Uint8Array(), 0);
  b.clientFrame(new Uint8Array(), false, 0);
  b.serverFrame(new Uint8Array(), false, 0);
  a.error({ source: 'listener', code: 'shutdown', message: 'listener stopped' }, 0);
  deferrer.flush();
  expect(log).toEqual(['a.requestBody', 'a.error', 'b.clientFrame', 'b.serverFrame']);
});

test('a throwing hook does not stop the hooks queued after it', async () => {
  const log: string[] = [];
  const rec = createDeferrer().wrap({
    ...logging(log, 'a'),
    note: () => {
      throw new Error('adapter bug');
    },
  });
  rec.note({ source: 'upstream', code: 'x', message: 'y' }, 0);
  rec.responseEnd(0);
  await new Promise((resolve) => process.nextTick(resolve));
  expect(log).toEqual(['a.responseEnd']);
});
