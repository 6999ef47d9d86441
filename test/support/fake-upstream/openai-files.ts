/**
 * OpenAI routes the replaykit adapters do not model (files, audio): multipart uploads in, JSON or
 * binary bodies out, so tests can prove these are recorded and replayed byte for byte.
 */
import { createHash } from 'node:crypto';
import { openaiHeaders } from './openai-headers.ts';
import { jsonBody, type RenderContext, type Rendered } from './rendered.ts';
import type { FormValue } from './types.ts';

const CREATED = 1_735_689_600;

/** Uploaded files by id, per server, so `GET /v1/files/{id}/content` returns the uploaded bytes. */
export type FileStore = Map<string, { filename: string; bytes: Buffer }>;

function fileOf(value: FormValue | undefined): { filename: string; bytes: Buffer } | undefined {
  return value && typeof value !== 'string' ? value : undefined;
}

export function renderFileCreate(ctx: RenderContext, files: FileStore): Rendered {
  const form = ctx.req.form ?? {};
  const file = fileOf(form.file);
  if (!file) return badRequest(ctx, "Missing required parameter: 'file'.");
  const id = ctx.ids.next('file', '-fake');
  files.set(id, file);
  return jsonBody(200, openaiHeaders(ctx), {
    object: 'file',
    id,
    purpose: typeof form.purpose === 'string' ? form.purpose : null,
    filename: file.filename,
    bytes: file.bytes.length,
    created_at: CREATED,
    status: 'processed',
  });
}

export function renderFileContent(ctx: RenderContext, files: FileStore, id: string): Rendered {
  const file = files.get(id);
  if (!file) return badRequest(ctx, `No such File object: ${id}`, 404);
  return {
    type: 'body',
    status: 200,
    headers: { 'content-type': 'application/octet-stream', ...openaiHeaders(ctx) },
    body: file.bytes,
  };
}

/** The "transcript" names the audio's size and digest, so a test sees which bytes were sent. */
export function renderTranscription(ctx: RenderContext): Rendered {
  const form = ctx.req.form ?? {};
  const file = fileOf(form.file);
  if (!file) return badRequest(ctx, "Missing required parameter: 'file'.");
  const digest = createHash('sha256').update(file.bytes).digest('hex').slice(0, 12);
  const text = `heard ${file.bytes.length} bytes of ${file.filename} (${digest}) with ${String(form.model)}`;
  return jsonBody(200, openaiHeaders(ctx), { text });
}

/**
 * "Audio" derived from the input text: every byte value 0-255 appears (a NUL first), so it is
 * binary by any test, and different input gives different bytes.
 */
export function speechBytes(input: string): Buffer {
  const seed = createHash('sha256').update(input).digest();
  const out = Buffer.alloc(512 + seed.length);
  for (let i = 0; i < 512; i++) out[i] = (i * 7 + (seed[i % seed.length] ?? 0)) & 0xff;
  out[0] = 0;
  seed.copy(out, 512);
  return out;
}

export function renderSpeech(ctx: RenderContext): Rendered {
  const body = (ctx.req.body ?? {}) as { input?: unknown };
  return {
    type: 'body',
    status: 200,
    headers: { 'content-type': 'audio/mpeg', ...openaiHeaders(ctx) },
    body: speechBytes(String(body.input ?? '')),
  };
}

function badRequest(ctx: RenderContext, message: string, status = 400): Rendered {
  return jsonBody(status, openaiHeaders(ctx), {
    error: { message, type: 'invalid_request_error', param: null, code: null },
  });
}

export interface FileRoute {
  endpoint: string;
  render(ctx: RenderContext): Rendered;
}

/** `POST /v1/files`, `GET /v1/files/{id}/content`, `POST /v1/audio/transcriptions|speech`. */
export function matchFileRoute(
  method: string,
  url: string,
  files: FileStore,
): FileRoute | undefined {
  const path = new URL(url, 'http://fake').pathname.replace(/^\/v1(?=\/)/, '');
  if (method === 'POST' && path === '/files') {
    return { endpoint: 'files', render: (ctx) => renderFileCreate(ctx, files) };
  }
  const content = /^\/files\/([^/]+)\/content$/.exec(path);
  if (method === 'GET' && content) {
    const id = decodeURIComponent(content[1]!);
    return { endpoint: 'files.content', render: (ctx) => renderFileContent(ctx, files, id) };
  }
  if (method === 'POST' && path === '/audio/transcriptions') {
    return { endpoint: 'audio.transcriptions', render: renderTranscription };
  }
  if (method === 'POST' && path === '/audio/speech') {
    return { endpoint: 'audio.speech', render: renderSpeech };
  }
  return undefined;
}
