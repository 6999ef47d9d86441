import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, expect, test } from 'vitest';
import { readCassette } from '../../../src/cassette/reader.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a writer killed with SIGKILL mid-stream leaves a cassette the reader fully recovers', async () => {
  dir = mkdtempSync(join(tmpdir(), 'rk-crash-'));
  const file = join(dir, 'crash.rpk');
  const child = execa(process.execPath, [fixture('crash-writer.ts'), file], { reject: false });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.catch(reject);
  });
  child.kill('SIGKILL');
  const result = await child;
  expect(result.signal ?? 'SIGKILL').toBe('SIGKILL');

  const cassette = await readCassette(file);
  const types = cassette.steps.map((s) => s.type);
  // Three steps before the stream, the interrupted stream, then the steps appended during it.
  expect(types.slice(0, 4)).toEqual([
    'tool.response',
    'tool.response',
    'tool.response',
    'model.response',
  ]);
  expect(types.slice(4).every((t) => t === 'tool.response')).toBe(true);
  expect(types.length).toBeGreaterThanOrEqual(6);
  expect(cassette.steps.map((s) => s.index)).toEqual(cassette.steps.map((_, i) => i));

  const stream = cassette.steps[3];
  if (stream?.type !== 'model.response' || !stream.stream) throw new Error('no stream step');
  expect(stream.stream.state).toBe('interrupted');
  // Every event that reached the file is there, in order, with none missing.
  const written = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"stream.event"'));
  const whole = written.filter((l) => {
    try {
      return JSON.parse(l) !== null;
    } catch {
      return false;
    }
  }).length;
  expect(stream.stream.events.length).toBeGreaterThanOrEqual(200);
  expect(stream.stream.events.length).toBe(whole);
  expect(stream.stream.events.map((e) => (e.data as { n: number }).n)).toEqual(
    stream.stream.events.map((_, i) => i),
  );
  expect(cassette.warnings.at(-1)).toMatch(
    /the stream "live" \(step 3\) has no closing model\.response; kept it as interrupted with \d+ events$/,
  );
  expect(cassette.seal).toBeUndefined();

  // The same file torn mid-line (a crash inside a write) still reads, minus the torn line.
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.slice(0, text.trimEnd().length - 7));
  const torn = await readCassette(file);
  expect(torn.warnings[0]).toContain('torn last line (the writer stopped mid-write)');
  const lastWasEvent = text.trimEnd().split('\n').at(-1)!.includes('"stream.event"');
  expect(torn.steps.length).toBe(cassette.steps.length - (lastWasEvent ? 0 : 1));
});

test.skipIf(process.platform === 'win32')(
  'a full disk surfaces as CassetteWriteError from streamEvent, and every line before it is kept',
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'rk-full-'));
    const file = join(dir, 'full.rpk');
    // `ulimit -f 16` caps files at 8 KiB (512-byte blocks): a real EFBIG from the kernel.
    const r = await execa(
      'sh',
      [
        '-c',
        'ulimit -f 16 && exec "$0" "$@"',
        process.execPath,
        fixture('full-disk-writer.ts'),
        file,
      ],
      { reject: false },
    );
    expect(r.stderr).toBe('');
    const outcome = JSON.parse(String(r.stdout));
    expect(outcome.first).toEqual({
      isWriteError: true,
      code: 'E_CASSETTE_WRITE',
      message: `[replaykit] Failed to write cassette "${file}": the file is larger than the system allows while writing a line. Every line written before the fault is kept`,
    });
    // The writer stops for good: no line is glued onto the torn one.
    expect(outcome.again).toEqual(outcome.first);

    const cassette = await readCassette(file);
    const step = cassette.steps[0];
    expect(step?.type === 'model.response' && step.stream?.state).toBe('interrupted');
    expect(step?.type === 'model.response' && step.stream?.events.length).toBe(outcome.events);
  },
);
