import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { canonicalHash } from '../../../src/cassette/canonical.ts';
import { CassetteReadError } from '../../../src/cassette/errors.ts';
import { iterateCassette, readCassette } from '../../../src/cassette/reader.ts';
import { CassetteFormatError } from '../../../src/errors.ts';
import { header, request, response, rpk, tempDir } from './fixtures.ts';

function file(text: string | Buffer, name = 'run.rpk'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

/** The reader's message without the temp-dir prefix, e.g. `run.rpk:3: ...`. */
async function failure(path: string): Promise<string> {
  const error = await readCassette(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CassetteFormatError);
  const message = (error as Error).message;
  expect(message.startsWith(`[replaykit] ${path}`)).toBe(true);
  return message.replace(`${path}`, 'run.rpk');
}

const streamOpen = {
  type: 'stream.open',
  index: 1,
  correlation_id: 'c0',
  provider: 'openai',
  endpoint: 'chat.completions',
  offset_ms: 40,
  status: 200,
  headers: { 'content-type': 'text/event-stream' },
  format: 'sse',
};
const event = (seq: number, data: unknown) => ({
  type: 'stream.event',
  correlation_id: 'c0',
  seq,
  offset_ms: 50 + seq,
  data,
});

describe('valid files', () => {
  test('reads the header and steps in order', async () => {
    const c = await readCassette(file(rpk(request(0), response(1, 'c0'))));
    expect(c.header.run_id).toBe('run-test-1');
    expect(c.steps.map((s) => s.type)).toEqual(['model.request', 'model.response']);
    expect(c.warnings).toEqual([]);
    expect(c.sha256).toBe(canonicalHash(c.steps));
  });

  test('CRLF line endings and a byte-order mark read the same as LF', async () => {
    const lf = rpk(request(0), response(1, 'c0'));
    const a = await readCassette(file(lf));
    const b = await readCassette(file(`\uFEFF${lf.replaceAll('\n', '\r\n')}`));
    expect(b.steps).toEqual(a.steps);
    expect(b.sha256).toBe(a.sha256);
  });

  test('stream lines fold into one model.response in step order, events in arrival order', async () => {
    const closing = { ...response(1, 'c0'), stream: { format: 'sse', state: 'completed' } };
    delete (closing as { body?: unknown }).body;
    const c = await readCassette(
      file(
        rpk(
          request(0),
          streamOpen,
          event(0, { a: 1 }),
          request(2, 'c2'),
          event(1, '[DONE]'),
          closing,
        ),
      ),
    );
    expect(c.steps.map((s) => `${s.index}:${s.type}`)).toEqual([
      '0:model.request',
      '1:model.response',
      '2:model.request',
    ]);
    const folded = c.steps[1];
    expect(folded?.type === 'model.response' && folded.stream).toEqual({
      format: 'sse',
      state: 'completed',
      events: [
        { offset_ms: 50, data: { a: 1 } },
        { offset_ms: 51, data: '[DONE]' },
      ],
    });
  });

  test('iterateCassette yields steps before it reaches a fault further down (it streams)', async () => {
    const path = file(rpk(request(0), response(1, 'c0'), 'not json at all', request(2)));
    const seen: string[] = [];
    const run = async () => {
      for await (const entry of iterateCassette(path)) seen.push(entry.kind);
    };
    await expect(run()).rejects.toThrow(':4: not valid JSON');
    expect(seen).toEqual(['header', 'step', 'step']);
  });
});

describe('recoverable damage', () => {
  test('a torn last line is reported and skipped; everything before it is kept', async () => {
    const text = rpk(request(0), response(1, 'c0'));
    const path = file(`${text}${JSON.stringify(request(2)).slice(0, 50)}`);
    const c = await readCassette(path);
    expect(c.steps).toHaveLength(2);
    expect(c.warnings).toEqual([
      `${path}:4: torn last line (the writer stopped mid-write); skipped it and kept everything before it`,
    ]);
  });

  test('a file cut mid-stream gives back an interrupted response with every event received', async () => {
    const text = rpk(request(0), streamOpen, event(0, { a: 1 }), event(1, { b: 2 }));
    const path = file(text.slice(0, -20));
    const c = await readCassette(path);
    const last = c.steps[1];
    expect(last?.type).toBe('model.response');
    if (last?.type !== 'model.response') return;
    expect(last.stream?.state).toBe('interrupted');
    expect(last.stream?.events.map((e) => e.data)).toEqual([{ a: 1 }]);
    expect(last.status).toBe(200);
    expect(c.warnings).toEqual([
      `${path}:5: torn last line (the writer stopped mid-write); skipped it and kept everything before it`,
      `${path}:3: the stream "c0" (step 1) has no closing model.response; kept it as interrupted with 1 events`,
    ]);
  });
});

describe('exact error texts', () => {
  test('empty file', async () => {
    expect(await failure(file(''))).toBe(
      '[replaykit] run.rpk: the file is empty; a .rpk cassette starts with a run.header line',
    );
  });

  test('a file truncated inside its header', async () => {
    expect(await failure(file(JSON.stringify(header).slice(0, 30)))).toBe(
      '[replaykit] run.rpk:1: the run.header line is cut short (the writer stopped mid-write); there is nothing to recover',
    );
  });

  test('first line is not a header', async () => {
    expect(await failure(file(`${JSON.stringify(request(0))}\n`))).toBe(
      '[replaykit] run.rpk:1: the first line must be a run.header, got a "model.request" line',
    );
  });

  test('unknown (newer) format version', async () => {
    expect(await failure(file(`${JSON.stringify({ ...header, version: 2 })}\n`))).toBe(
      '[replaykit] run.rpk:1: format version 2 is newer than this replaykit supports (1); upgrade replaykit',
    );
  });

  test('a wrong type names the step, the field, what was expected and what was found', async () => {
    const bad = { ...response(1, 'c0'), status: '200' };
    expect(await failure(file(rpk(request(0), bad)))).toBe(
      '[replaykit] run.rpk:3: step model.response: field "status" expected number, got string',
    );
  });

  test('a missing field and a nested wrong type', async () => {
    const { method: _m, ...noMethod } = request(0) as Extract<
      ReturnType<typeof request>,
      { method: string }
    >;
    expect(await failure(file(rpk(noMethod)))).toBe(
      '[replaykit] run.rpk:2: step model.request: field "method" is missing (expected string)',
    );
    const badEvent = { ...event(0, 1), offset_ms: 'soon' };
    expect(await failure(file(rpk(request(0), streamOpen, badEvent)))).toBe(
      '[replaykit] run.rpk:4: stream.event: field "offset_ms" expected number, got string',
    );
  });

  test('a wrong enum value lists the allowed ones', async () => {
    expect(await failure(file(rpk({ ...request(0), provider: 'mistral' })))).toBe(
      '[replaykit] run.rpk:2: step model.request: field "provider" expected one of "openai", "anthropic", "gemini", "mcp", "azure", "bedrock", "vertex", "ollama", "openai-compatible", "unknown", got "mistral"',
    );
  });

  test('an unknown line type', async () => {
    expect(await failure(file(rpk({ ...request(0), type: 'model.thought' })))).toBe(
      '[replaykit] run.rpk:2: unknown line type "model.thought"; expected one of model.request, model.response, tool.request, tool.response, error.event, agent.event, stream.open, stream.event, run.seal',
    );
  });

  test('garbage in the middle of the file is an error, not a torn line', async () => {
    expect(await failure(file(rpk(request(0), '{"type":"model.req', request(1))))).toBe(
      '[replaykit] run.rpk:3: not valid JSON (the line starts "{\\"type\\":\\"model.req"); each line must be one JSON object',
    );
  });

  test('a line that is JSON but not an object', async () => {
    expect(await failure(file(rpk('[1,2]')))).toBe(
      '[replaykit] run.rpk:2: expected a JSON object, got array',
    );
  });

  test('step indices must count up from 0', async () => {
    expect(await failure(file(rpk(request(0), request(2))))).toBe(
      '[replaykit] run.rpk:3: step index 2 is out of order; expected 1 (steps are numbered from 0 in the order they start)',
    );
  });

  test('a stream event out of sequence', async () => {
    expect(await failure(file(rpk(request(0), streamOpen, event(0, 1), event(2, 3))))).toBe(
      '[replaykit] run.rpk:5: stream.event seq 2 for "c0" is out of order; expected 1',
    );
  });

  test('a seal whose step count does not match', async () => {
    const seal = { type: 'run.seal', steps: 3, sha256: 'a'.repeat(64) };
    expect(await failure(file(rpk(request(0), response(1, 'c0'), seal)))).toBe(
      '[replaykit] run.rpk:4: run.seal counts 3 steps but the file holds 2; the file was changed after it was sealed',
    );
  });

  test('a seal whose hash does not match (a step was edited after sealing)', async () => {
    const steps = [request(0), response(1, 'c0')];
    const seal = { type: 'run.seal', steps: 2, sha256: canonicalHash(steps) };
    const edited = { ...response(1, 'c0'), status: 500 };
    const actual = canonicalHash([steps[0]!, edited]);
    expect(await failure(file(rpk(request(0), edited, seal)))).toBe(
      `[replaykit] run.rpk:4: run.seal sha256 ${seal.sha256.slice(0, 12)}... does not match the steps (${actual.slice(0, 12)}...); the file was changed after it was sealed`,
    );
    // The untouched file passes.
    expect((await readCassette(file(rpk(...steps, seal)))).seal?.steps).toBe(2);
  });

  test('a seal made with other normalisation rules is a warning when its integrity holds', async () => {
    const steps = [request(0), response(1, 'c0')];
    const integrity = canonicalHash(steps);
    const seal = { type: 'run.seal', steps: 2, sha256: 'b'.repeat(64), integrity };
    const path = file(rpk(...steps, seal));
    const c = await readCassette(path);
    expect(c.steps).toHaveLength(2);
    expect(c.warnings).toEqual([
      `${path}:4: run.seal sha256 was computed with other normalisation rules (another replaykit version); the steps are unchanged and the canonical hash is ${integrity}`,
    ]);
  });

  test('a seal whose integrity does not match is an error whatever the rules', async () => {
    const steps = [request(0), response(1, 'c0')];
    const seal = {
      type: 'run.seal',
      steps: 2,
      sha256: canonicalHash(steps),
      integrity: canonicalHash(steps),
    };
    const edited = { ...request(0), body: { model: 'gpt-5' } };
    const actual = canonicalHash([edited, steps[1]!]);
    expect(await failure(file(rpk(edited, steps[1], seal)))).toBe(
      `[replaykit] run.rpk:4: run.seal integrity ${seal.integrity.slice(0, 12)}... does not match the steps (${actual.slice(0, 12)}...); the file was changed after it was sealed`,
    );
  });

  test('steps after the seal', async () => {
    const seal = { type: 'run.seal', steps: 1, sha256: canonicalHash([request(0)]) };
    expect(await failure(file(rpk(request(0), seal, request(1))))).toBe(
      '[replaykit] run.rpk:4: a model.request line after the run.seal on line 3',
    );
  });

  test('a second header (two cassettes concatenated)', async () => {
    expect(await failure(file(rpk(request(0), header)))).toBe(
      '[replaykit] run.rpk:3: a second run.header; a cassette holds one run, and its header is line 1',
    );
  });

  test('errors carry file and line for programs, and exit status 3 for the CLI', async () => {
    const error = await readCassette(file(rpk(request(0), '42'))).catch((e: unknown) => e);
    expect(error).toMatchObject({ line: 3, exitCode: 3, code: 'E_CASSETTE_FORMAT' });
  });

  test('a missing file is a read error (exit 4) that names the file', async () => {
    const path = join(tempDir(), 'nope.rpk');
    const error = await readCassette(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CassetteReadError);
    expect((error as Error).message).toBe(
      `[replaykit] Failed to read cassette "${path}": no such file or directory. Check the path`,
    );
    expect(error).toMatchObject({ exitCode: 4 });
    // Only a relative path says where it was resolved from (issue 22: it named the wrong folder).
    const relative = 'no-such-dir/nope.rpk';
    const rel = await readCassette(relative).catch((e: unknown) => e);
    expect((rel as Error).message).toBe(
      `[replaykit] Failed to read cassette "${relative}": no such file or directory. Check the path (relative paths start at ${process.cwd()})`,
    );
    const dir = await readCassette(tempDir()).catch((e: unknown) => e);
    expect((dir as Error).message).toContain(': it is a directory. Pass the path of a .rpk file');
  });
});
