/**
 * The seal's `content_sha256`: replay checks a sealed cassette by one sha256 pass over its lines
 * instead of a canonical form per step, and the listener seals with it alone. Whatever that
 * check cannot settle must still be settled by the canonical one, never silently accepted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readCassette } from '../../../src/cassette/reader.ts';
import type { StepInput } from '../../../src/cassette/schema.ts';
import { createCassetteWriter } from '../../../src/cassette/writer.ts';
import { CassetteFormatError } from '../../../src/errors.ts';
import { normalizeStep } from '../../../src/pipeline/canonical.ts';
import { loadCassette, loadForReplay } from '../../../src/pipeline/cassette.ts';
import { request, response, tempDir, writerHeader } from './fixtures.ts';

const input = (step: ReturnType<typeof request>): StepInput => {
  const { index: _i, ...rest } = step;
  return rest as StepInput;
};

function sealed(hash: 'canonical' | 'content' = 'canonical'): string {
  const file = join(tempDir(), 'run.rpk');
  const w = createCassetteWriter(file, { header: writerHeader, normalize: normalizeStep, hash });
  w.append(input(request(0)));
  w.append(input(response(1, 'c0')));
  w.seal();
  return file;
}
const lines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n');
const sealOf = (file: string) => JSON.parse(lines(file).at(-1)!);
/** Rewrites line `n` (0-based) of the file. */
function edit(file: string, n: number, change: (line: Record<string, unknown>) => unknown) {
  const all = lines(file);
  all[n] = JSON.stringify(change(JSON.parse(all[n]!)));
  writeFileSync(file, `${all.join('\n')}\n`);
}
async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CassetteFormatError);
  return (error as Error).message;
}

describe('content_sha256', () => {
  test('the writer seals with it, and a content check reads the file without a canonical hash', async () => {
    const file = sealed();
    expect(sealOf(file).content_sha256).toMatch(/^[0-9a-f]{64}$/);
    const fast = await readCassette(file, { verify: 'content' });
    const full = await loadCassette(file);
    expect(fast.steps).toEqual(full.steps);
    expect(fast.sha256).toBeUndefined();
    expect(full.sha256).toBe(sealOf(file).sha256);
  });

  test('a CRLF checkout still matches', async () => {
    const file = sealed();
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('\n', '\r\n'));
    await expect(readCassette(file, { verify: 'content' })).resolves.toBeDefined();
  });

  test('an edited value fails both checks, so replay reports it', async () => {
    const file = sealed();
    edit(file, 2, (l) => ({ ...l, status: 500 }));
    expect(await failure(readCassette(file, { verify: 'content' }))).toMatch(
      /run\.seal content_sha256 \([0-9a-f]{12}\.\.\.\) does not match the lines .*the file was changed after it was sealed$/,
    );
    expect(await failure(loadForReplay(file))).toMatch(/run\.seal integrity .* does not match/);
  });

  test('a re-formatted file (keys reordered) fails the content check, and replay still loads it', async () => {
    const file = sealed();
    edit(file, 1, (l) => Object.fromEntries(Object.entries(l).reverse()));
    await failure(readCassette(file, { verify: 'content' }));
    const loaded = await loadForReplay(file);
    expect(loaded.steps).toHaveLength(2);
    // Read the slow way: the canonical hash was computed.
    expect(loaded.sha256).toBe(sealOf(file).sha256);
  });

  test('a seal from before content_sha256 is read the canonical way', async () => {
    const file = sealed();
    edit(file, 3, ({ content_sha256: _c, ...seal }) => seal);
    expect(await failure(readCassette(file, { verify: 'content' }))).toContain('(absent)');
    expect((await loadForReplay(file)).steps).toHaveLength(2);
  });
});

describe('lines this replaykit wrote are validated once, by the writer', () => {
  test('an edit that breaks the schema is still reported with the validation message', async () => {
    const file = sealed();
    edit(file, 2, (l) => ({ ...l, status: 'oops' }));
    expect(await failure(loadForReplay(file))).toMatch(/:3: step model\.response: .*status/);
  });

  test('an unsealed file (no proof its lines are unchanged) is read validated', async () => {
    const file = join(tempDir(), 'open.rpk');
    const w = createCassetteWriter(file, { header: writerHeader, normalize: normalizeStep });
    w.append(input(request(0)));
    w.close();
    await failure(readCassette(file, { verify: 'content' }));
    expect((await loadForReplay(file)).steps).toHaveLength(1);
  });
});

describe('a content-only seal (the listener writes these)', () => {
  test('holds the count and content_sha256, no canonical hash; readers compute that themselves', async () => {
    const file = sealed('content');
    const seal = sealOf(file);
    expect(seal).toMatchObject({ type: 'run.seal', steps: 2 });
    expect(seal.sha256).toBeUndefined();
    expect(seal.integrity).toBeUndefined();
    const c = await loadCassette(file);
    expect(c.sha256).toBe((await loadCassette(sealed('canonical'))).sha256);
  });

  test('an edit after sealing is an error for the canonical reader too', async () => {
    const file = sealed('content');
    edit(file, 1, (l) => ({ ...l, model: 'gpt-edited' }));
    expect(await failure(loadCassette(file))).toMatch(
      /content_sha256 .* does not match the lines .*changed after it was sealed$/,
    );
  });

  test('a seal with neither hash says what to do', async () => {
    const file = sealed('content');
    edit(file, 3, ({ content_sha256: _c, ...seal }) => seal);
    expect(await failure(loadCassette(file))).toContain(
      'run.seal has neither "sha256" nor "content_sha256"; remove the seal line or re-seal the file',
    );
  });
});
