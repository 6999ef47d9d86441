/**
 * Issue 13, symptom 6: routes the adapters do not model (files, uploads, multipart audio, binary
 * audio) are recorded and replayed byte for byte as opaque exchanges, and replay never reaches a
 * provider host or a host the cassette recorded: a tripwire server on the stopped upstream's port
 * fails the test on any request.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import OpenAI, { toFile } from 'openai';
import { afterEach, describe, expect, test } from 'vitest';
import { expectReplayParity, ReplayDivergenceError, record } from '../../../src/index.ts';
import { type FakeUpstream, startFakeUpstream } from '../../support/fake-upstream/index.ts';
import { startTripwire, type Tripwire } from '../../support/tripwire.ts';

let up: FakeUpstream | undefined;
let wire: Tripwire | undefined;
afterEach(async () => {
  await up?.close();
  await wire?.close();
  up = undefined;
  wire = undefined;
});

const tmp = () => mkdtempSync(path.join(tmpdir(), 'rk-opaque-'));

/** Every byte value, a NUL first: binary by any test. */
const AUDIO = Buffer.from(Array.from({ length: 777 }, (_, i) => (i * 31 + 7) & 0xff));
AUDIO[0] = 0;
const NOTES = '{"custom_id":"a","body":{"x":1}}\n{"custom_id":"b","body":{"x":2}}\n';

/** Records `run` against the fake upstream, then replays it with a tripwire on the upstream's port. */
async function roundTrip<T>(run: (origin: string) => Promise<T>) {
  up = await startFakeUpstream();
  const { url: origin, port } = up;
  const cassette = path.join(tmp(), 'opaque.rpk');
  const recorded = await record({ cassette, mode: 'record' }, () => run(origin));
  const upstreamHits = up.received.length;
  await up.close();
  up = undefined;
  wire = await startTripwire(port);
  const replayed = await record({ cassette, mode: 'replay' }, () => run(origin));
  return { recorded, replayed, upstreamHits, cassette, origin };
}

const sdk = (origin: string) =>
  new OpenAI({ apiKey: 'sk-test-FAKE', baseURL: `${origin}/v1`, maxRetries: 0 });

async function filesAndAudio(openai: OpenAI) {
  const file = await openai.files.create({
    file: await toFile(Buffer.from(NOTES), 'notes.jsonl'),
    purpose: 'batch',
  });
  const content = Buffer.from(await (await openai.files.content(file.id)).arrayBuffer());
  const transcript = await openai.audio.transcriptions.create({
    file: await toFile(AUDIO, 'clip.mp3', { type: 'audio/mpeg' }),
    model: 'whisper-1',
  });
  const speech = await openai.audio.speech.create({
    model: 'tts-1',
    voice: 'alloy',
    input: 'Hello there',
  });
  const audio = Buffer.from(await speech.arrayBuffer());
  return { file, content: content.toString('base64'), transcript, audio: audio.toString('base64') };
}

function lines(cassette: string): Record<string, unknown>[] {
  return readFileSync(cassette, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('routes the adapters do not model, through the real openai SDK', () => {
  test('files.create, files.content, audio.transcriptions (multipart) and audio.speech (binary) replay byte for byte with zero network requests', async () => {
    const { recorded, replayed, upstreamHits, cassette, origin } = await roundTrip((o) =>
      filesAndAudio(sdk(o)),
    );
    expect(upstreamHits).toBe(4);
    expect(recorded.value.file.filename).toBe('notes.jsonl');
    expect(Buffer.from(recorded.value.content, 'base64').toString()).toBe(NOTES);
    expect(recorded.value.transcript.text).toMatch(/^heard 777 bytes of clip\.mp3/);
    expect(recorded.value.audio.length).toBeGreaterThan(500);
    expect(recorded.exchanges).toBe(4);
    expect(replayed.value).toEqual(recorded.value);
    expect(replayed.exchanges).toBe(4);
    expect(replayed.unused).toEqual([]);
    expect(replayed.divergences).toEqual([]);
    expect(wire?.hits).toEqual([]);

    // Stored readably where it is text, base64 only where it is binary.
    const steps = lines(cassette).filter(
      (l) => l.type === 'model.request' || l.type === 'model.response',
    );
    const [upload, uploaded, download, downloaded, hear, heard, speak, spoken] = steps;
    expect(upload).toMatchObject({ method: 'POST', url: '/v1/files', endpoint: 'opaque' });
    expect(uploaded?.body ?? uploaded?.body_text).toBeDefined();
    expect(download).toMatchObject({
      method: 'GET',
      url: expect.stringMatching(/^\/v1\/files\/.+\/content$/),
    });
    expect(downloaded?.body_text).toBe(NOTES);
    expect(hear?.body_multipart).toMatchObject({
      parts: expect.arrayContaining([
        expect.objectContaining({ body_text: 'whisper-1' }),
        expect.objectContaining({ body_base64: AUDIO.toString('base64') }),
      ]),
    });
    expect(heard?.body).toMatchObject({ text: expect.stringMatching(/^heard 777 bytes/) });
    expect(speak?.body).toMatchObject({ input: 'Hello there' });
    expect(spoken?.body_base64).toBe(recorded.value.audio);

    // Parity: the cassette on its own, and a run against it (a new multipart boundary each time).
    await expect(expectReplayParity(cassette)).resolves.toMatchObject({ exchanges: 4 });
    await expect(
      expectReplayParity(cassette, () => filesAndAudio(sdk(origin))),
    ).resolves.toMatchObject({ exchanges: 4 });
    expect(wire?.hits).toEqual([]);
  });

  test('a request the cassette lacks fails with how to record it, and reaches nothing', async () => {
    const { cassette, origin } = await roundTrip((o) => filesAndAudio(sdk(o)));
    const openai = sdk(origin);
    // Changed audio: the closest recorded request is named with the first difference.
    const changed = Buffer.from(AUDIO);
    changed[100] = 1;
    const transcribe = record({ cassette, mode: 'replay' }, async () => {
      await openai.audio.transcriptions.create({
        file: await toFile(changed, 'clip.mp3', { type: 'audio/mpeg' }),
        model: 'whisper-1',
      });
    });
    await expect(transcribe).rejects.toThrow(ReplayDivergenceError);
    await expect(transcribe).rejects.toThrow(/body_multipart/);
    // A route never recorded, and a path outside the API on the recorded host.
    const calls: [string, () => Promise<unknown>][] = [
      [
        'POST /v1/batches',
        () =>
          openai.batches.create({
            input_file_id: 'file-x',
            endpoint: '/v1/chat/completions',
            completion_window: '24h',
          }),
      ],
      ['GET /health', () => fetch(`${origin}/health`)],
    ];
    for (const [what, call] of calls) {
      const run = record({ cassette, mode: 'replay' }, async () => {
        await call();
      });
      await expect(run).rejects.toThrow(ReplayDivergenceError);
      await expect(run).rejects.toThrow(
        `the cassette has no exchange for openai opaque (${what}).\n  If the change is intended, re-record: REPLAYKIT_MODE=record <your test command>`,
      );
    }
    expect(wire?.hits).toEqual([]);
  });
});

describe('which hosts replay keeps off the network', () => {
  test('a known provider host is never reached, even by a plain fetch the cassette never saw', async () => {
    const { cassette } = await roundTrip(async (o) => {
      const res = await sdk(o).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      });
      return res.choices[0]?.message.content;
    });
    // No SDK headers, a host the cassette does not name: only the known-host rule catches it.
    for (const url of [
      'https://api.openai.com/v1/vector_stores',
      'https://api.anthropic.com/v1/files',
      'https://generativelanguage.googleapis.com/upload/v1beta/files',
    ]) {
      const { pathname } = new URL(url);
      const run = record({ cassette, mode: 'replay' }, async () => {
        await fetch(url).catch(() => undefined);
      });
      await expect(run).rejects.toThrow(
        new RegExp(
          `the cassette has no exchange for \\w+ opaque \\(GET ${pathname.replaceAll('/', '\\/')}\\)`,
        ),
      );
    }
    // Another local service is not a provider's: it passes through, as before.
    const other = await startTripwire(0);
    try {
      const port = other.port;
      const passed = await record(
        { cassette, mode: 'replay' },
        async () => (await fetch(`http://127.0.0.1:${port}/health`)).status,
      );
      expect(passed.value).toBe(599);
      expect(other.hits).toEqual(['GET /health']);
    } finally {
      await other.close();
    }
    expect(wire?.hits).toEqual([]);
  });
});

/** A multipart body written by hand, with the boundary the caller picks. */
function multipart(
  boundary: string,
  fields: [string, string | { filename: string; bytes: Buffer }][],
) {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    const disposition =
      typeof value === 'string'
        ? `Content-Disposition: form-data; name="${name}"`
        : `Content-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\nContent-Type: application/octet-stream`;
    parts.push(Buffer.from(`--${boundary}\r\n${disposition}\r\n\r\n`));
    parts.push(typeof value === 'string' ? Buffer.from(value) : value.bytes);
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

function send(
  origin: string,
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; type: string; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${origin}${url}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          bytes: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('raw node:http against the fake upstream', () => {
  test('a multipart upload replays whatever boundary the client picks; binary bodies come back byte for byte', async () => {
    let n = 0;
    const { recorded, replayed } = await roundTrip(async (origin) => {
      // A different boundary on every run, as real clients do.
      const boundary = `----rk-boundary-${++n}-${Math.random().toString(16).slice(2)}`;
      const chat = await send(
        origin,
        'POST',
        '/v1/chat/completions',
        { 'content-type': 'application/json' },
        Buffer.from(
          JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
        ),
      );
      const upload = multipart(boundary, [
        ['purpose', 'assistants'],
        ['file', { filename: 'blob.bin', bytes: AUDIO }],
      ]);
      const created = await send(
        origin,
        'POST',
        '/v1/files',
        { 'content-type': `multipart/form-data; boundary=${boundary}` },
        upload,
      );
      const id = (JSON.parse(created.bytes.toString()) as { id: string }).id;
      const content = await send(origin, 'GET', `/v1/files/${id}/content`, {});
      const speech = await send(
        origin,
        'POST',
        '/v1/audio/speech',
        { 'content-type': 'application/json' },
        Buffer.from('{"model":"tts-1","input":"raw","voice":"alloy"}'),
      );
      return {
        chat: chat.status,
        created: created.bytes.toString('base64'),
        content: content.bytes.toString('base64'),
        speech: speech.bytes.toString('base64'),
        types: [created.type, content.type, speech.type],
      };
    });
    expect(Buffer.from(recorded.value.content, 'base64').equals(AUDIO)).toBe(true);
    expect(replayed.value).toEqual(recorded.value);
    expect(replayed.exchanges).toBe(4);
    expect(replayed.divergences).toEqual([]);
    expect(wire?.hits).toEqual([]);
  });
});

describe('the class: any bytes either way', () => {
  test('any response body and any multipart upload record and replay byte for byte, without the network (fast-check)', async () => {
    up = await startFakeUpstream();
    const upstream = up;
    const dir = tmp();
    let n = 0;
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.string({ maxLength: 120 }).map((t) => new Uint8Array(Buffer.from(t))),
      fc
        .jsonValue()
        .map((v) => new Uint8Array(Buffer.from(JSON.stringify(v, null, n % 2 ? 2 : 0)))),
    );
    const types = fc.constantFrom('application/json', 'audio/mpeg', 'text/plain', 'image/png');
    await fc.assert(
      fc.asyncProperty(bytes, types, bytes, async (answer, type, upload) => {
        const cassette = path.join(dir, `${++n}.rpk`);
        upstream.reply(() => ({
          kind: 'raw',
          status: 200,
          headers: { 'content-type': type },
          chunks: [answer],
        }));
        // undici picks a new multipart boundary for every request.
        const call = async () => {
          const form = new FormData();
          form.append('purpose', 'vision');
          form.append('file', new Blob([upload]), 'upload.bin');
          const res = await fetch(`${upstream.url}/v1/uploads`, {
            method: 'POST',
            headers: { 'user-agent': 'OpenAI/JS 7.57.0' },
            body: form,
          });
          return Buffer.from(await res.arrayBuffer()).toString('base64');
        };
        const recorded = await record({ cassette, mode: 'record' }, call);
        const sent = upstream.received.at(-1)!.bodyBytes;
        expect(sent.includes(Buffer.from(upload))).toBe(true);
        const seen = upstream.received.length;
        const replayed = await record({ cassette, mode: 'replay' }, call);
        expect(upstream.received.length).toBe(seen);
        expect(replayed.value).toBe(recorded.value);
        expect(Buffer.from(replayed.value, 'base64').equals(Buffer.from(answer))).toBe(true);
      }),
      { numRuns: 15 },
    );
  });
});
