/** Gemini API: `models/{m}:generateContent`, `:streamGenerateContent` (SSE or JSON array), more. */
import { jsonBody, type RenderContext, type Rendered, type StreamEvent } from './rendered.ts';
import { argumentsObject, countTokens, splitWords } from './text.ts';
import type { StreamErrorReply, TextReply, ToolReply } from './types.ts';

type Content = TextReply | ToolReply | StreamErrorReply;
type Part = Record<string, unknown>;

export function geminiHeaders(): Record<string, string> {
  return {
    'content-type': 'application/json; charset=UTF-8',
    server: 'scaffolding on HTTPServer2',
    vary: 'Origin, X-Origin, Referer',
    'x-xss-protection': '0',
  };
}

function usageMetadata(ctx: RenderContext, output: number) {
  const prompt = countTokens(ctx.req.bodyText);
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: output,
    totalTokenCount: prompt + output,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  };
}

function toolParts(reply: Content): Part[] {
  if (reply.kind !== 'tool') return [];
  return reply.calls.map((call) => ({
    functionCall: {
      ...(call.callId !== undefined ? { id: call.callId } : {}),
      name: call.name,
      args: argumentsObject(call.arguments),
    },
  }));
}

export function renderGenerate(reply: Content, ctx: RenderContext): Rendered {
  const responseId = ctx.ids.next('gresp', '_fake');
  const head = { modelVersion: ctx.model, responseId };
  const candidate = (parts: Part[], last: boolean) => ({
    content: { parts, role: 'model' },
    ...(last ? { finishReason: 'STOP' } : {}),
    index: 0,
  });
  const text = reply.kind === 'stream-error' ? '' : (reply.text ?? '');
  const thought = reply.kind === 'stream-error' ? undefined : reply.reasoning;
  const thoughts = thought ? [{ text: thought, thought: true }] : [];
  const tools = toolParts(reply);
  const output = countTokens(text + JSON.stringify(tools));
  if (!ctx.stream) {
    const parts = [...thoughts, ...(text ? [{ text }] : []), ...tools];
    return jsonBody(200, geminiHeaders(), {
      candidates: [candidate(parts, true)],
      usageMetadata: usageMetadata(ctx, output),
      ...head,
    });
  }
  const chunks: unknown[] = [];
  if (reply.kind === 'stream-error') {
    chunks.push({ candidates: [candidate([{ text: '' }], false)], ...head });
    const message = reply.message ?? 'The model is overloaded. Please try again later.';
    chunks.push({ error: { code: 503, message, status: 'UNAVAILABLE' } });
  } else {
    const pieces: Part[] = [
      ...(thought ? splitWords(thought).map((t) => ({ text: t, thought: true })) : []),
      ...splitWords(text).map((t) => ({ text: t })),
      ...tools,
    ];
    if (pieces.length === 0) pieces.push({ text: '' });
    pieces.forEach((part, i) => {
      const last = i === pieces.length - 1;
      chunks.push({
        candidates: [candidate([part], last)],
        usageMetadata: usageMetadata(ctx, last ? output : 0),
        ...head,
      });
    });
  }
  const events: StreamEvent[] = chunks.map((c) => ({ data: JSON.stringify(c) }));
  const contentType =
    ctx.format === 'sse' ? 'text/event-stream' : 'application/json; charset=UTF-8';
  return {
    type: 'stream',
    status: 200,
    headers: { ...geminiHeaders(), 'content-type': contentType },
    format: ctx.format,
    events,
  };
}

export function renderGeminiCountTokens(_reply: Content, ctx: RenderContext): Rendered {
  const total = countTokens(ctx.req.bodyText);
  return jsonBody(200, geminiHeaders(), {
    totalTokens: total,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }],
  });
}

export function renderEmbedContent(_reply: Content, ctx: RenderContext): Rendered {
  return jsonBody(200, geminiHeaders(), { embedding: { values: fakeVector(ctx.req.bodyText) } });
}

/** A small deterministic vector derived from the input, so equal inputs embed equally. */
export function fakeVector(input: string, size = 8): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    const code = input.charCodeAt(i % Math.max(1, input.length)) || 0;
    out.push(Math.round(((code * (i + 1)) % 200) - 100) / 100);
  }
  return out;
}

/** `:batchEmbedContents` (what `ai.models.embedContent` calls): one vector per request. */
export function renderBatchEmbed(_reply: Content, ctx: RenderContext): Rendered {
  const body = (ctx.req.body ?? {}) as { requests?: unknown[] };
  const requests = Array.isArray(body.requests) ? body.requests : [body];
  return jsonBody(200, geminiHeaders(), {
    embeddings: requests.map((r) => ({ values: fakeVector(JSON.stringify(r)) })),
  });
}
