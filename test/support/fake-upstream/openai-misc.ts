/** OpenAI embeddings and models. */
import { fakeVector } from './gemini.ts';
import { openaiHeaders } from './openai-headers.ts';
import { jsonBody, type RenderContext, type Rendered } from './rendered.ts';
import { countTokens } from './text.ts';

export function renderEmbeddings(_reply: unknown, ctx: RenderContext): Rendered {
  const body = (ctx.req.body ?? {}) as { input?: unknown; encoding_format?: string };
  const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ''];
  const data = inputs.map((input, index) => {
    const vector = fakeVector(JSON.stringify(input));
    // The openai SDK asks for base64 by default and decodes little-endian float32 itself.
    const embedding =
      body.encoding_format === 'base64'
        ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
        : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = countTokens(ctx.req.bodyText);
  return jsonBody(200, openaiHeaders(ctx), {
    object: 'list',
    data,
    model: ctx.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

const MODELS = ['gpt-5', 'gpt-5-mini', 'gpt-4.1', 'text-embedding-3-small'];

function model(id: string) {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'openai' };
}

export function renderOpenaiModels(_reply: unknown, ctx: RenderContext): Rendered {
  const id = /\/models\/([^/?]+)/.exec(ctx.req.url)?.[1];
  if (id !== undefined) return jsonBody(200, openaiHeaders(ctx), model(decodeURIComponent(id)));
  return jsonBody(200, openaiHeaders(ctx), { object: 'list', data: MODELS.map(model) });
}
