import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createRunCassette, runArtifactName } from '../../../src/cassette/artifact.ts';
import { canonicalHash } from '../../../src/cassette/canonical.ts';
import { CassetteWriteError } from '../../../src/cassette/errors.ts';
import { readCassette } from '../../../src/cassette/reader.ts';
import type { StepInput } from '../../../src/cassette/schema.ts';
import { createCassetteWriter } from '../../../src/cassette/writer.ts';
import { ReplayKitError } from '../../../src/errors.ts';
import { request, response, tempDir, writerHeader } from './fixtures.ts';

const input = (step: ReturnType<typeof request>): StepInput => {
  const { index: _i, ...rest } = step;
  return rest as StepInput;
};
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
const head = {
  correlation_id: 's1',
  request_id: 'req_s1',
  provider: 'openai',
  endpoint: 'responses',
  offset_ms: 30,
  status: 200,
  headers: { 'content-type': 'text/event-stream' },
  format: 'sse',
} as const;

describe('createCassetteWriter', () => {
  test('writes each step as one line the moment it is appended, numbered from 0', () => {
    const file = join(tempDir(), 'a.rpk');
    const w = createCassetteWriter(file, { header: writerHeader });
    expect(lines(file).map((l) => l.type)).toEqual(['run.header']);
    const first = w.append(input(request(0)));
    expect(first.index).toBe(0);
    expect(lines(file).at(-1)).toMatchObject({ type: 'model.request', index: 0 });
    w.append(input(response(1, 'c0')));
    expect(lines(file)).toHaveLength(3);
    expect(lines(file)[0]).toMatchObject({ type: 'run.header', version: 1, run_id: 'run-test-1' });
    w.close();
  });

  test('the seal holds the step count and the same hash the reader computes', async () => {
    const file = join(tempDir(), 'a.rpk');
    const w = createCassetteWriter(file, { header: writerHeader });
    w.append(input(request(0)));
    w.append(input(response(1, 'c0')));
    const seal = w.seal();
    const read = await readCassette(file);
    expect(seal).toEqual({ steps: 2, sha256: read.sha256 });
    expect(read.seal).toMatchObject(seal);
    expect(canonicalHash(read.steps)).toBe(seal.sha256);
  });

  test('streams go out event by event and read back as one response, in step order', async () => {
    const file = join(tempDir(), 's.rpk');
    const w = createCassetteWriter(file, { header: writerHeader });
    w.append({ ...input(request(0)), correlation_id: 's1' });
    w.openStream(head);
    w.streamEvent('s1', {
      offset_ms: 31,
      event: 'response.created',
      data: { type: 'response.created' },
    });
    // Another exchange starts while the stream is still open.
    w.append(input(request(2)));
    expect(lines(file).at(-2)).toMatchObject({
      type: 'stream.event',
      seq: 0,
      event: 'response.created',
    });
    w.streamEvent('s1', {
      offset_ms: 40,
      event: 'response.completed',
      data: { type: 'response.completed' },
    });
    const closed = w.closeStream('s1', {
      state: 'completed',
      assembled: { text: 'hi', tool_calls: [] },
    });
    expect(closed.index).toBe(1);
    expect(closed.stream?.events).toHaveLength(2);
    const onDisk = lines(file).at(-1);
    expect(onDisk.stream).toEqual({ format: 'sse', state: 'completed' });
    const { sha256 } = w.seal();

    const read = await readCassette(file);
    expect(read.warnings).toEqual([]);
    expect(read.steps.map((s) => `${s.index}:${s.type}`)).toEqual([
      '0:model.request',
      '1:model.response',
      '2:model.request',
    ]);
    expect(read.steps[1]).toEqual(closed);
    expect(read.sha256).toBe(sha256);
  });

  test('sealing with a stream still open closes it as interrupted, and says so', async () => {
    const file = join(tempDir(), 'i.rpk');
    const w = createCassetteWriter(file, { header: writerHeader });
    w.openStream({ ...head, correlation_id: 'late' });
    w.streamEvent('late', { offset_ms: 1, data: 'partial' });
    w.seal();
    const read = await readCassette(file);
    const step = read.steps[0];
    expect(step?.type === 'model.response' && step.stream?.state).toBe('interrupted');
    expect(step?.type === 'model.response' && step.diagnostics).toEqual([
      { message: 'the cassette was closed while this stream was still open' },
    ]);
  });

  test('an existing file is refused unless replace is set', () => {
    const file = join(tempDir(), 'taken.rpk');
    writeFileSync(file, 'precious');
    const error = (() => {
      try {
        createCassetteWriter(file, { header: writerHeader });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CassetteWriteError);
    expect((error as Error).message).toBe(
      `[replaykit] Failed to write cassette "${file}": the file already exists. Pass replace: true to overwrite it, or choose another name`,
    );
    expect(readFileSync(file, 'utf8')).toBe('precious');
  });

  test('replace writes beside the target and swaps it in only at seal', async () => {
    const dir = tempDir();
    const file = join(dir, 'r.rpk');
    writeFileSync(file, 'old content');
    const w = createCassetteWriter(file, { header: writerHeader, replace: true });
    w.append(input(request(0)));
    expect(readFileSync(file, 'utf8')).toBe('old content');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    w.seal();
    expect(readdirSync(dir)).toEqual(['r.rpk']);
    expect((await readCassette(file)).steps).toHaveLength(1);
  });

  test('invalid steps are refused before anything is written', () => {
    const file = join(tempDir(), 'v.rpk');
    const w = createCassetteWriter(file, { header: writerHeader });
    const bad = { ...input(request(0)), method: 42 } as unknown as StepInput;
    expect(() => w.append(bad)).toThrow(
      '[replaykit] Failed to write a cassette line: step model.request: field "method" expected string, got number. Fix the value passed to the writer',
    );
    expect(lines(file)).toHaveLength(1);
    expect(() => w.streamEvent('nope', { offset_ms: 0, data: 1 })).toThrow(ReplayKitError);
    w.close();
    expect(() => w.append(input(request(0)))).toThrow('it is already closed');
  });

  test('creates missing parent directories', () => {
    const file = join(tempDir(), 'deep', 'er', 'x.rpk');
    createCassetteWriter(file, { header: writerHeader }).close();
    expect(existsSync(file)).toBe(true);
  });
});

describe('batched writes (the listener)', () => {
  const disk = (file: string) => readFileSync(file, 'utf8');

  test("a turn's lines reach the file together when the turn ends; flush writes them at once", async () => {
    const file = join(tempDir(), 'b.rpk');
    const w = createCassetteWriter(file, { header: writerHeader, batch: true });
    w.append(input(request(0)));
    expect(disk(file)).toBe('');
    await new Promise(setImmediate);
    expect(lines(file).map((l) => l.type)).toEqual(['run.header', 'model.request']);
    w.append(input(response(1, 'c0')));
    w.flush();
    expect(lines(file).at(-1)).toMatchObject({ type: 'model.response', index: 1 });
  });

  test('seal writes out what is queued, and the file reads back whole', async () => {
    const file = join(tempDir(), 'c.rpk');
    const w = createCassetteWriter(file, { header: writerHeader, batch: true, hash: 'content' });
    w.append(input(request(0)));
    w.append(input(response(1, 'c0')));
    w.seal();
    const c = await readCassette(file);
    expect(c.steps.map((s) => s.type)).toEqual(['model.request', 'model.response']);
    expect(c.seal).toMatchObject({ steps: 2 });
  });

  test('a value that does not serialise still fails the call that wrote it', () => {
    const w = createCassetteWriter(join(tempDir(), 'd.rpk'), { header: writerHeader, batch: true });
    const bad = { ...input(request(0)), body: { n: 1n } } as unknown as StepInput;
    expect(() => w.append(bad)).toThrow('Do not know how to serialize a BigInt');
  });
});

describe('run artifact names', () => {
  test('run-<UTC timestamp>-<short id>.rpk', () => {
    expect(runArtifactName(new Date('2026-11-24T09:30:05.123Z'), 'a1b2c3')).toBe(
      'run-20261124T093005Z-a1b2c3.rpk',
    );
  });

  test('runs started in the same second get different files', () => {
    const dir = tempDir();
    const now = () => new Date('2026-11-24T09:30:05.000Z');
    const files = Array.from({ length: 5 }, () => {
      const w = createRunCassette(dir, { header: writerHeader, now });
      w.close();
      return w.file;
    });
    expect(new Set(files).size).toBe(5);
    for (const f of files) expect(f).toMatch(/run-20261124T093005Z-[0-9a-f]{6}\.rpk$/);
  });
});
